import type { FastifyPluginAsync } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../db/types.js';
import { crudRoutes } from '../http/crud.js';
import { CreateQueueBody, Queue, UpdateQueueBody } from './schemas.js';
import * as service from './service.js';

/** `/admin/v1/queues` — callback queues ("callback services"); clients see only queues on their allow-list. */
export const queueRoutes = (db: Kysely<DB>): FastifyPluginAsync =>
  crudRoutes({
    path: '/queues',
    tag: 'queues',
    noun: 'queue',
    item: Queue,
    create: CreateQueueBody,
    update: UpdateQueueBody,
    list: (request) => service.listQueues(db, request),
    get: (id, request) => service.getQueue(db, id, request),
    add: (body, actor, request) => service.createQueue(db, body, actor, request),
    change: (id, patch, actor, request) => service.updateQueue(db, id, patch, actor, request),
    remove: (id, actor, request) => service.deleteQueue(db, id, actor, request),
  });
