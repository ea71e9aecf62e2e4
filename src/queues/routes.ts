import { crudRoutes } from '../http/crud.js';
import { CreateQueueBody, Queue, UpdateQueueBody } from './schemas.js';
import * as service from './service.js';

/** `/admin/v1/queues` — callback queues ("callback services"); clients see only queues on their allow-list. */
export const queueRoutes = crudRoutes({
  path: '/queues',
  tag: 'queues',
  noun: 'queue',
  item: Queue,
  create: CreateQueueBody,
  update: UpdateQueueBody,
  list: service.listQueues,
  get: service.getQueue,
  add: service.createQueue,
  change: service.updateQueue,
  remove: service.deleteQueue,
});
