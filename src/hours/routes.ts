import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { crudRoutes, READ_ROLES } from '../http/crud.js';
import { errorResponses, IdParams } from '../http/schemas.js';
import { BusinessHours, CalendarsQuery, CreateHoursBody, HolidayCalendars, HolidaysQuery, SpecialDates, UpdateHoursBody } from './schemas.js';
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

/** Read-only views of what the hours' special days do, for every operator role. */
export const holidayRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const readers = app.withTypeProvider<TypeBoxTypeProvider>();
  readers.addHook('onRequest', app.requireRoles(...READ_ROLES));
  readers.get(
    '/business-hours/:id/holidays',
    {
      schema: {
        tags: ['business-hours'],
        summary: 'The special dates of these hours in a year (exceptions, recurring rules, public holidays), each with the source in force',
        params: IdParams,
        querystring: HolidaysQuery,
        response: { 200: SpecialDates, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => service.holidaysOf(request.ctx, request.params.id, request.query.year),
  );
  readers.get(
    '/holiday-calendars',
    {
      schema: {
        tags: ['business-hours'],
        summary: 'The public-holiday calendars business hours may use: every country, and with ?country= its states and regions',
        querystring: CalendarsQuery,
        response: { 200: HolidayCalendars, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => service.holidayCalendarChoices(request.query.country),
  );
};
