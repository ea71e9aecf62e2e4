import type { Principal } from '../http/auth.js';
import { errors } from '../http/errors.js';

interface QueueIdentity {
  id: string;
  name: string;
  genesys_queue_id: string | null;
}

/** A client's queue allow-list names queues by name, our id or the Genesys queue id; null allows all. */
export function mayUseQueue(principal: Principal | null, queue: QueueIdentity): boolean {
  const allowed = principal?.queues;
  if (allowed === null || allowed === undefined) return principal !== null;
  return allowed.includes(queue.name) || allowed.includes(queue.id) || (queue.genesys_queue_id !== null && allowed.includes(queue.genesys_queue_id));
}

export function assertQueueAccess(principal: Principal | null, queue: QueueIdentity): void {
  if (!mayUseQueue(principal, queue)) throw errors.forbidden(`This client may not use queue "${queue.name}"`);
}
