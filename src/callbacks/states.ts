import type { CallbackState } from '../db/types.js';

/** States a callback can be cancelled from: an agent already on it (PROCESSING) cannot be stopped. */
export const CANCELLABLE: readonly CallbackState[] = ['SCHEDULED', 'QUEUED', 'ROUTING'];
export const PENDING_STATES: readonly CallbackState[] = ['SCHEDULED', 'QUEUED', 'ROUTING', 'PROCESSING'];
