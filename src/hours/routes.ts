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
    list: () => service.listHours(db),
    get: (id) => service.getHours(db, id),
    add: (body, actor) => service.createHours(db, body, actor),
    change: (id, patch, actor) => service.updateHours(db, id, patch, actor),
    remove: (id, actor) => service.deleteHours(db, id, actor),
  });
