import { crudRoutes } from '../http/crud.js';
import { BusinessHours, CreateHoursBody, UpdateHoursBody } from './schemas.js';
import * as service from './service.js';

/** `/admin/v1/business-hours` — weekly hours with date exceptions, in their own time zone. */
export const hoursRoutes = crudRoutes({
  path: '/business-hours',
  tag: 'business-hours',
  noun: 'business hours',
  item: BusinessHours,
  create: CreateHoursBody,
  update: UpdateHoursBody,
  list: service.listHours,
  get: service.getHours,
  add: service.createHours,
  change: service.updateHours,
  remove: service.deleteHours,
});
