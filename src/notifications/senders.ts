import type { NotificationChannel } from '../vocabulary.js';
import type { ChannelSender } from './channels.js';
import { pushSender } from './push.js';
import { smsSender } from './sms.js';
import { webhookSender } from './webhook-send.js';

/** The sender of each channel. */
export const SENDERS: Record<NotificationChannel, ChannelSender> = {
  webhook: webhookSender,
  sms: smsSender,
  push: pushSender,
};
