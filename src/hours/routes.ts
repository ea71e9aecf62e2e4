import { crudRoutes } from '../http/crud.js';
import { BusinessHours, CreateHoursBody, UpdateHoursBody } from './schemas.js';
import * as service from './service.js';

/** `/admin/v1/business-hours` — weekly hours with date exceptions, in their own time zone. */
export const hoursRoutes = (db: Parameters<typeof service.listHours>[0]) =>
  crudRoutes({
    path: '/business-hours',
    tag: 'business-hours',
    noun: 'business hours',
    item: BusinessHours,
    create: CreateHoursBody,
    update: UpdateHoursBody,
    list: (ctx) => service.listHours(ctx.db),
    get: (ctx, id) => service.getHours(ctx.db, id),
    add: (ctx, body) => service.createHours(ctx.db, body, ctx.caller),
    change: (ctx, id, patch) => service.updateHours(ctx.db, id, patch, ctx.caller),
    remove: (ctx, id) => service.deleteHours(ctx.db, id, ctx.caller),
  });
