import type { NotificationChannel } from '../vocabulary.js';
import type { ChannelSender } from './channels.js';
import { webhookSender } from './webhook-send.js';

/** The sender of each channel. */
export const SENDERS: Record<NotificationChannel, ChannelSender> = {
  webhook: webhookSender,
  sms: async () => ({ ok: false, retryable: false, drop: true, statusCode: null, error: 'SMS is not available in this version' }),
  push: async () => ({ ok: false, retryable: false, drop: true, statusCode: null, error: 'push is not available in this version' }),
};
