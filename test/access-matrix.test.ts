import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../src/auth/caller.js';
import {
  acdStartEvent,
  ALL_WEEK,
  bearer,
  buildAccessWorld,
  freshCallback,
  freshCampaign,
  freshCampaignCallback,
  freshCompletedCallback,
  freshDeliveredCallback,
  freshTrack,
  FULL_CELLS,
  previewAcceptedEvent,
  randomPhone,
  scheduledTime,
  fixtureCall,
  uid,
  type AccessWorld,
  type Headers,
  type Side,
  type SideFixtures,
} from './helpers/access-fixtures.js';
import { buildTestApp, makeClient, type TestApp, type TestClient } from './helpers/app.js';
import { startFakeFcm, type FakeFcm } from './helpers/fake-fcm.js';
import { makePerson, sessionHeaders, signIn, type TestPerson } from './helpers/people.js';

/**
 * The access model as a table: every route of the app, for every role and for no token, called by a
 * client without an allow-list and by one restricted to queue QA, on QA's and on QB's resources.
 *
 * A cell is the outcome for: unrestricted (on QB's resource) / restricted to QA on QA's / restricted
 * to QA on QB's; one code stands for all three.
 *   ok    2xx               in   2xx, the listing shows the resource   out  2xx, the listing omits it
 *   401   no token          403  role or queue not allowed             409  allowed, refused by a rule
 *   301   a redirect (/console → /console/)
 * "QA's" configuration is the one only QA uses; a new configuration is used by no queue yet.
 * The README's access table says the same in prose.
 */

type Code = 'ok' | 'in' | 'out' | 'ignored' | '301' | '401' | '403' | '404' | '409';
const ROLE_COLUMNS = ['administrator', 'supervisor', 'monitor', 'developer', 'actions', 'events'] as const satisfies readonly Role[];
type Row = [route: string, noToken: Code, administrator: string, supervisor: string, monitor: string, developer: string, actions: string, events: string];

// Shorthands for the common cells.
const SCOPED_LIST = 'in in out'; // every queue's unrestricted, only the allow-list's restricted
const SCOPED = 'ok ok 403'; // a resource of a queue: only within the allow-list
const UNRESTRICTED_ONLY = 'ok 403 403'; // global configuration: unrestricted administrators only
const IN_USE = '409 409 403'; // deleting configuration a queue uses: 409, outside the allow-list 403 first
const NO = '403';
// An event about another queue's conversation: a restricted events client receives the org's events
// (triggers do not filter by queue), so it answers IGNORED, as for any conversation not its own, and changes nothing.
const EVENT = 'ok ok ignored';

//  route                                                  no token  administrator      supervisor    monitor       developer     actions   events
const TABLE: Row[] = [
  ['GET /healthz',                                          'ok',    'ok',              'ok',         'ok',         'ok',         'ok',     'ok'],
  ['GET /readyz',                                           'ok',    'ok',              'ok',         'ok',         'ok',         'ok',     'ok'],
  ['GET /metrics',                                          'ok',    'ok',              'ok',         'ok',         'ok',         'ok',     'ok'],
  ['GET /openapi.json',                                     'ok',    'ok',              'ok',         'ok',         'ok',         'ok',     'ok'],
  ['POST /oauth/token',                                     'ok',    'ok',              'ok',         'ok',         'ok',         'ok',     'ok'],
  // The console's page and files are public; what it shows comes from the API, with its access rules.
  ['GET /console',                                          '301',   '301',             '301',        '301',        '301',        '301',    '301'],
  ['GET /console*',                                         'ok',    'ok',              'ok',         'ok',         'ok',         'ok',     'ok'],

  ['GET /admin/v1/clients',                                 '401',   SCOPED_LIST,       NO,           NO,           NO,           NO,       NO],
  ['POST /admin/v1/clients',                                '401',   SCOPED,            NO,           NO,           NO,           NO,       NO],
  ['GET /admin/v1/clients/:id',                             '401',   SCOPED,            NO,           NO,           NO,           NO,       NO],
  ['PATCH /admin/v1/clients/:id',                           '401',   SCOPED,            NO,           NO,           NO,           NO,       NO],
  ['DELETE /admin/v1/clients/:id',                          '401',   SCOPED,            NO,           NO,           NO,           NO,       NO],
  ['POST /admin/v1/clients/:id/rotate-secret',              '401',   SCOPED,            NO,           NO,           NO,           NO,       NO],
  ['POST /admin/v1/clients/:id/rotate-key',                 '401',   SCOPED,            NO,           NO,           NO,           NO,       NO],
  // The CORS preflight catch-all: a preflight for a route closed to browsers answers what OPTIONS always
  // has (204 with Allow) and no CORS header (test/web-cors.test.ts).
  ['OPTIONS *',                                             'ok',    'ok',              'ok',         'ok',         'ok',         'ok',     'ok'],

  ['GET /admin/v1/users',                                   '401',   SCOPED_LIST,       NO,           NO,           NO,           NO,       NO],
  ['POST /admin/v1/users',                                  '401',   SCOPED,            NO,           NO,           NO,           NO,       NO],
  ['GET /admin/v1/users/:id',                               '401',   SCOPED,            NO,           NO,           NO,           NO,       NO],
  ['PATCH /admin/v1/users/:id',                             '401',   SCOPED,            NO,           NO,           NO,           NO,       NO],
  ['DELETE /admin/v1/users/:id',                            '401',   SCOPED,            NO,           NO,           NO,           NO,       NO],
  ['POST /admin/v1/users/:id/password',                     '401',   SCOPED,            NO,           NO,           NO,           NO,       NO],

  // Signing in needs a person's credentials, not a token; the session itself is read only with its cookie.
  ['GET /auth/v1/providers',                                'ok',    'ok',              'ok',         'ok',         'ok',         'ok',     'ok'],
  ['POST /auth/v1/session',                                 'ok',    'ok',              'ok',         'ok',         'ok',         'ok',     'ok'],
  ['GET /auth/v1/session',                                  '401',   '401',             '401',        '401',        '401',        '401',    '401'],
  ['DELETE /auth/v1/session',                               'ok',    'ok',              'ok',         'ok',         'ok',         'ok',     'ok'],
  // Genesys sign-in is not configured in this app: both answer 404 to everyone (test/genesys-sign-in.test.ts runs them configured).
  ['GET /auth/v1/genesys/start',                            '404',   '404',             '404',        '404',        '404',        '404',    '404'],
  ['GET /auth/v1/genesys/callback',                         '404',   '404',             '404',        '404',        '404',        '404',    '404'],
  ['GET /admin/v1/genesys-sign-in/mappings',                '401',   'ok',              NO,           NO,           NO,           NO,       NO],
  ['PUT /admin/v1/genesys-sign-in/mappings',                '401',   UNRESTRICTED_ONLY, NO,           NO,           NO,           NO,       NO],

  ['GET /admin/v1/audit',                                   '401',   SCOPED_LIST,       SCOPED_LIST,  NO,           NO,           NO,       NO],

  ['GET /admin/v1/queues',                                  '401',   SCOPED_LIST,       SCOPED_LIST,  SCOPED_LIST,  SCOPED_LIST,  NO,       NO],
  ['POST /admin/v1/queues',                                 '401',   SCOPED,            NO,           NO,           NO,           NO,       NO],
  ['GET /admin/v1/queues/:id',                              '401',   SCOPED,            SCOPED,       SCOPED,       SCOPED,       NO,       NO],
  ['PATCH /admin/v1/queues/:id',                            '401',   SCOPED,            NO,           NO,           NO,           NO,       NO],
  ['DELETE /admin/v1/queues/:id',                           '401',   SCOPED,            NO,           NO,           NO,           NO,       NO],

  ['GET /admin/v1/business-hours',                          '401',   'in',              'in',         'in',         'in',         NO,       NO],
  ['POST /admin/v1/business-hours',                         '401',   'ok',              NO,           NO,           NO,           NO,       NO],
  ['GET /admin/v1/business-hours/:id',                      '401',   'ok',              'ok',         'ok',         'ok',         NO,       NO],
  ['PATCH /admin/v1/business-hours/:id',                    '401',   SCOPED,            NO,           NO,           NO,           NO,       NO],
  ['DELETE /admin/v1/business-hours/:id',                   '401',   IN_USE,            NO,           NO,           NO,           NO,       NO],

  ['GET /admin/v1/capacity-rules',                          '401',   'in',              'in',         'in',         'in',         NO,       NO],
  ['POST /admin/v1/capacity-rules',                         '401',   'ok',              NO,           NO,           NO,           NO,       NO],
  ['GET /admin/v1/capacity-rules/:id',                      '401',   'ok',              'ok',         'ok',         'ok',         NO,       NO],
  ['PATCH /admin/v1/capacity-rules/:id',                    '401',   SCOPED,            NO,           NO,           NO,           NO,       NO],
  ['DELETE /admin/v1/capacity-rules/:id',                   '401',   IN_USE,            NO,           NO,           NO,           NO,       NO],
  ['PUT /admin/v1/capacity-rules/:id/statement',            '401',   SCOPED,            NO,           NO,           NO,           NO,       NO],

  ['GET /admin/v1/number-rules',                            '401',   'in',              'in',         'in',         'in',         NO,       NO],
  ['POST /admin/v1/number-rules',                           '401',   'ok',              NO,           NO,           NO,           NO,       NO],
  ['GET /admin/v1/number-rules/:id',                        '401',   'ok',              'ok',         'ok',         'ok',         NO,       NO],
  ['PATCH /admin/v1/number-rules/:id',                      '401',   SCOPED,            NO,           NO,           NO,           NO,       NO],
  ['DELETE /admin/v1/number-rules/:id',                     '401',   IN_USE,            NO,           NO,           NO,           NO,       NO],
  ['POST /admin/v1/number-rules/:id/test',                  '401',   'ok',              'ok',         'ok',         'ok',         NO,       NO],

  ['GET /admin/v1/prioritization-policies',                 '401',   'in',              'in',         'in',         'in',         NO,       NO],
  ['POST /admin/v1/prioritization-policies',                '401',   'ok',              NO,           NO,           NO,           NO,       NO],
  ['GET /admin/v1/prioritization-policies/:id',             '401',   'ok',              'ok',         'ok',         'ok',         NO,       NO],
  ['PATCH /admin/v1/prioritization-policies/:id',           '401',   SCOPED,            NO,           NO,           NO,           NO,       NO],
  ['DELETE /admin/v1/prioritization-policies/:id',          '401',   IN_USE,            NO,           NO,           NO,           NO,       NO],

  ['GET /admin/v1/callback-retry-policies',                 '401',   'in',              'in',         'in',         'in',         NO,       NO],
  ['POST /admin/v1/callback-retry-policies',                '401',   'ok',              NO,           NO,           NO,           NO,       NO],
  ['GET /admin/v1/callback-retry-policies/:id',             '401',   'ok',              'ok',         'ok',         'ok',         NO,       NO],
  ['PATCH /admin/v1/callback-retry-policies/:id',           '401',   SCOPED,            NO,           NO,           NO,           NO,       NO],
  ['DELETE /admin/v1/callback-retry-policies/:id',          '401',   IN_USE,            NO,           NO,           NO,           NO,       NO],

  // A webhook outside the allow-list is not shown to a restricted caller at all (404), like a missing one.
  ['GET /admin/v1/webhooks',                                '401',   SCOPED_LIST,       SCOPED_LIST,  SCOPED_LIST,  SCOPED_LIST,  NO,       NO],
  ['POST /admin/v1/webhooks',                               '401',   SCOPED,            NO,           NO,           NO,           NO,       NO],
  ['GET /admin/v1/webhooks/:id',                            '401',   'ok ok 404',       'ok ok 404',  'ok ok 404',  'ok ok 404',  NO,       NO],
  ['PATCH /admin/v1/webhooks/:id',                          '401',   'ok ok 404',       NO,           NO,           NO,           NO,       NO],
  ['DELETE /admin/v1/webhooks/:id',                         '401',   'ok ok 404',       NO,           NO,           NO,           NO,       NO],
  ['POST /admin/v1/webhooks/:id/rotate-secret',             '401',   'ok ok 404',       NO,           NO,           NO,           NO,       NO],
  ['POST /admin/v1/webhooks/:id/test',                      '401',   'ok ok 404',       NO,           NO,           NO,           NO,       NO],
  ['GET /admin/v1/webhooks/:id/deliveries',                 '401',   'ok ok 404',       'ok ok 404',  'ok ok 404',  'ok ok 404',  NO,       NO],
  ['GET /admin/v1/callbacks/:id/notifications',             '401',   SCOPED,            SCOPED,       SCOPED,       SCOPED,       NO,       NO],
  // The opt-out list belongs to no queue: everyone reads it all; a restricted administrator adds to it
  // (that only stops texts) but removes nothing (that would text every queue's customer again).
  ['GET /admin/v1/message-opt-outs',                        '401',   'in',              'in',         'in',         'in',         NO,       NO],
  ['GET /admin/v1/message-opt-outs/:phone',                 '401',   'ok',              'ok',         'ok',         'ok',         NO,       NO],
  ['PUT /admin/v1/message-opt-outs/:phone',                 '401',   'ok',              NO,           NO,           NO,           NO,       NO],
  ['DELETE /admin/v1/message-opt-outs/:phone',              '401',   UNRESTRICTED_ONLY, NO,           NO,           NO,           NO,       NO],

  ['GET /admin/v1/retry-policies',                          '401',   'in',              'in',         'in',         'in',         NO,       NO],
  ['POST /admin/v1/retry-policies',                         '401',   UNRESTRICTED_ONLY, NO,           NO,           NO,           NO,       NO],
  ['GET /admin/v1/retry-policies/:id',                      '401',   'ok',              'ok',         'ok',         'ok',         NO,       NO],
  ['PATCH /admin/v1/retry-policies/:id',                    '401',   UNRESTRICTED_ONLY, NO,           NO,           NO,           NO,       NO],
  ['DELETE /admin/v1/retry-policies/:id',                   '401',   UNRESTRICTED_ONLY, NO,           NO,           NO,           NO,       NO],
  ['GET /admin/v1/settings/preview-retries',                '401',   'ok',              'ok',         'ok',         'ok',         NO,       NO],
  ['PUT /admin/v1/settings/preview-retries',                '401',   UNRESTRICTED_ONLY, NO,           NO,           NO,           NO,       NO],
  ['GET /admin/v1/settings/push',                           '401',   'ok',              NO,           NO,           NO,           NO,       NO],
  ['PUT /admin/v1/settings/push',                           '401',   UNRESTRICTED_ONLY, NO,           NO,           NO,           NO,       NO],
  ['DELETE /admin/v1/settings/push',                        '401',   UNRESTRICTED_ONLY, NO,           NO,           NO,           NO,       NO],
  ['POST /admin/v1/settings/push/test',                     '401',   UNRESTRICTED_ONLY, NO,           NO,           NO,           NO,       NO],
  ['GET /admin/v1/preview-contacts',                        '401',   SCOPED_LIST,       SCOPED_LIST,  SCOPED_LIST,  SCOPED_LIST,  NO,       NO],
  ['GET /admin/v1/preview-contacts/:id',                    '401',   SCOPED,            SCOPED,       SCOPED,       SCOPED,       NO,       NO],

  ['GET /admin/v1/campaigns',                               '401',   SCOPED_LIST,       SCOPED_LIST,  SCOPED_LIST,  SCOPED_LIST,  NO,       NO],
  ['POST /admin/v1/campaigns',                              '401',   SCOPED,            NO,           NO,           NO,           NO,       NO],
  ['GET /admin/v1/campaigns/:id',                           '401',   SCOPED,            SCOPED,       SCOPED,       SCOPED,       NO,       NO],
  ['PATCH /admin/v1/campaigns/:id',                         '401',   SCOPED,            NO,           NO,           NO,           NO,       NO],
  ['DELETE /admin/v1/campaigns/:id',                        '401',   SCOPED,            NO,           NO,           NO,           NO,       NO],
  ['GET /admin/v1/campaigns/:id/callbacks',                 '401',   SCOPED,            SCOPED,       SCOPED,       SCOPED,       NO,       NO],
  ['GET /admin/v1/campaign-callbacks',                      '401',   SCOPED_LIST,       SCOPED_LIST,  SCOPED_LIST,  SCOPED_LIST,  NO,       NO],
  ['GET /admin/v1/campaign-callbacks/:id',                  '401',   SCOPED,            SCOPED,       SCOPED,       SCOPED,       NO,       NO],
  ['POST /admin/v1/campaign-callbacks/:id/cancel',          '401',   SCOPED,            SCOPED,       NO,           NO,           NO,       NO],

  // A call-in group belongs to its queue (one without a queue is for unrestricted clients only), as do its requests.
  ['GET /admin/v1/call-in-groups',                          '401',   SCOPED_LIST,       SCOPED_LIST,  SCOPED_LIST,  SCOPED_LIST,  NO,       NO],
  ['POST /admin/v1/call-in-groups',                         '401',   SCOPED,            NO,           NO,           NO,           NO,       NO],
  ['GET /admin/v1/call-in-groups/:id',                      '401',   SCOPED,            SCOPED,       SCOPED,       SCOPED,       NO,       NO],
  ['PATCH /admin/v1/call-in-groups/:id',                    '401',   SCOPED,            NO,           NO,           NO,           NO,       NO],
  ['DELETE /admin/v1/call-in-groups/:id',                   '401',   SCOPED,            NO,           NO,           NO,           NO,       NO],
  ['GET /admin/v1/call-in-groups/:id/dnis',                 '401',   SCOPED,            SCOPED,       SCOPED,       SCOPED,       NO,       NO],
  ['PUT /admin/v1/call-in-groups/:id/dnis',                 '401',   SCOPED,            NO,           NO,           NO,           NO,       NO],
  ['POST /admin/v1/call-in-groups/:id/dnis/import',         '401',   SCOPED,            NO,           NO,           NO,           NO,       NO],
  ['GET /admin/v1/call-in-groups/:id/dnis/export',          '401',   SCOPED,            SCOPED,       SCOPED,       SCOPED,       NO,       NO],
  ['GET /admin/v1/call-in/requests',                        '401',   SCOPED_LIST,       SCOPED_LIST,  SCOPED_LIST,  SCOPED_LIST,  NO,       NO],

  ['GET /admin/v1/callbacks',                               '401',   SCOPED_LIST,       SCOPED_LIST,  SCOPED_LIST,  SCOPED_LIST,  NO,       NO],
  ['GET /admin/v1/callbacks/:id',                           '401',   SCOPED,            SCOPED,       SCOPED,       SCOPED,       NO,       NO],
  ['GET /admin/v1/callbacks/search',                        '401',   SCOPED_LIST,       SCOPED_LIST,  SCOPED_LIST,  SCOPED_LIST,  NO,       NO],
  ['GET /admin/v1/callbacks/export',                        '401',   SCOPED_LIST,       SCOPED_LIST,  SCOPED_LIST,  SCOPED_LIST,  NO,       NO],
  ['GET /admin/v1/queues/overview',                         '401',   SCOPED_LIST,       SCOPED_LIST,  SCOPED_LIST,  SCOPED_LIST,  NO,       NO],
  ['GET /admin/v1/queues/:id/utilization',                  '401',   SCOPED,            SCOPED,       SCOPED,       SCOPED,       NO,       NO],
  ['GET /admin/v1/business-hours/:id/preview',              '401',   'ok',              'ok',         'ok',         'ok',         NO,       NO],
  ['GET /admin/v1/business-hours/:id/holidays',             '401',   'ok',              'ok',         'ok',         'ok',         NO,       NO],
  ['GET /admin/v1/holiday-calendars',                       '401',   'ok',              'ok',         'ok',         'ok',         NO,       NO],
  ['GET /admin/v1/capacity-rules/:id/conversion',           '401',   'ok',              'ok',         'ok',         'ok',         NO,       NO],
  ['GET /admin/v1/genesys/status',                          '401',   'ok',              'ok',         'ok',         'ok',         NO,       NO],
  ['POST /admin/v1/callbacks',                              '401',   SCOPED,            SCOPED,       NO,           NO,           NO,       NO],
  ['POST /admin/v1/callbacks/:id/cancel',                   '401',   SCOPED,            SCOPED,       NO,           NO,           NO,       NO],
  ['POST /admin/v1/callbacks/bulk-cancel',                  '401',   SCOPED,            SCOPED,       NO,           NO,           NO,       NO],
  ['POST /admin/v1/callbacks/:id/reschedule',               '401',   SCOPED,            SCOPED,       NO,           NO,           NO,       NO],
  ['POST /admin/v1/callbacks/:id/recreate',                 '401',   SCOPED,            SCOPED,       NO,           NO,           NO,       NO],

  ['GET /admin/v1/reports/summary',                         '401',   SCOPED_LIST,       SCOPED_LIST,  SCOPED_LIST,  SCOPED_LIST,  NO,       NO],

  ['GET /admin/v1/aging-tracks',                            '401',   SCOPED_LIST,       SCOPED_LIST,  SCOPED_LIST,  SCOPED_LIST,  NO,       NO],
  ['GET /admin/v1/aging-tracks/:conversationId',            '401',   SCOPED,            SCOPED,       SCOPED,       SCOPED,       NO,       NO],
  ['GET /admin/v1/genesys/simulated-calls',                 '401',   SCOPED_LIST,       SCOPED_LIST,  SCOPED_LIST,  SCOPED_LIST,  NO,       NO],

  ['POST /actions/v1/availability',                         '401',   NO,                NO,           NO,           NO,           SCOPED,   NO],
  ['POST /actions/v1/open-for',                             '401',   NO,                NO,           NO,           NO,           SCOPED,   NO],
  ['POST /actions/v1/numbers/check',                        '401',   NO,                NO,           NO,           NO,           SCOPED,   NO],
  ['POST /actions/v1/callbacks/create',                     '401',   NO,                NO,           NO,           NO,           SCOPED,   NO],
  ['POST /actions/v1/callbacks/lookup',                     '401',   NO,                NO,           NO,           NO,           SCOPED,   NO],
  ['POST /actions/v1/callbacks/cancel',                     '401',   NO,                NO,           NO,           NO,           SCOPED,   NO],
  ['POST /actions/v1/callbacks/reschedule',                 '401',   NO,                NO,           NO,           NO,           SCOPED,   NO],
  ['POST /actions/v1/queue-status',                         '401',   NO,                NO,           NO,           NO,           SCOPED,   NO],
  ['POST /actions/v1/offers',                               '401',   NO,                NO,           NO,           NO,           SCOPED,   NO],
  ['POST /actions/v1/campaign-callbacks',                   '401',   NO,                NO,           NO,           NO,           SCOPED,   NO],
  ['POST /actions/v1/campaign-callbacks/cancel',            '401',   NO,                NO,           NO,           NO,           SCOPED,   NO],
  // A customer's STOP or START concerns a number, not a queue: any actions client passes it on.
  ['POST /actions/v1/messages/opt-out',                     '401',   NO,                NO,           NO,           NO,           'ok',     NO],
  ['POST /actions/v1/call-in/requests',                     '401',   NO,                NO,           NO,           NO,           SCOPED,   NO],
  // A call presents no queue: another queue's requests are not matched for it (NO_MATCH), as if absent.
  ['POST /actions/v1/call-in/match',                        '401',   NO,                NO,           NO,           NO,           'ok',     NO],

  ['POST /events/v1/conversation-acd-start',                '401',   NO,                NO,           NO,           NO,           NO,       EVENT],
  ['POST /events/v1/conversation-acd-end',                  '401',   NO,                NO,           NO,           NO,           NO,       EVENT],
  ['POST /events/v1/conversation-user-start',               '401',   NO,                NO,           NO,           NO,           NO,       EVENT],
  ['POST /events/v1/conversation-user-end',                 '401',   NO,                NO,           NO,           NO,           NO,       EVENT],
  ['POST /events/v1/conversation-wrapup',                   '401',   NO,                NO,           NO,           NO,           NO,       EVENT],
  ['POST /events/v1/preview-accepted',                      '401',   NO,                NO,           NO,           NO,           NO,       EVENT],
  // Customer self-service: no API token or role opens these, only the callback's manage token (the
  // table's callers have none: 404, as for an unknown callback); see the manage-token table below.
  ['GET /public/v1/callbacks/:id',                          '404',   '404',             '404',        '404',        '404',        '404',    '404'],
  ['POST /public/v1/callbacks/:id/cancel',                  '404',   '404',             '404',        '404',        '404',        '404',    '404'],
  ['POST /public/v1/callbacks/:id/reschedule',              '404',   '404',             '404',        '404',        '404',        '404',    '404'],
  ['GET /public/v1/callbacks/:id/availability',             '404',   '404',             '404',        '404',        '404',        '404',    '404'],
];

/** The origin of the publishable keys the tables use. */
const WEB_ORIGIN = 'https://web.example.com';

/**
 * A publishable key (x-api-key, restricted to QA, from its allowed origin) on every route of the
 * table: only these answer it, scoped to its queues like any client; every other route answers 403,
 * public ones included (a request carrying a key reaches the routes open to keys, nothing else).
 */
const PUBLISHABLE_OPEN: Record<string, string> = {
  'POST /actions/v1/availability': 'ok 403',
  'POST /actions/v1/open-for': 'ok 403',
  'POST /actions/v1/queue-status': 'ok 403',
  'POST /actions/v1/callbacks/create': 'ok 403',
  'POST /actions/v1/call-in/requests': 'ok 403',
};

/** Swagger UI's pages and assets: public, like /openapi.json. */
const DOCS_PREFIX = '/docs';

/**
 * Unknown ids, for a caller the table allows: 404 — except the desk's and flows' cancel and
 * reschedule (of callbacks and campaign callbacks), which answer the NOT_FOUND outcome of their contract.
 */
const NOT_FOUND_OUTCOME = new Set(['POST /admin/v1/callbacks/:id/cancel', 'POST /admin/v1/callbacks/:id/reschedule', 'POST /admin/v1/campaign-callbacks/:id/cancel']);
/** PUT of a resource named by its key creates it: an unknown key is not a 404. */
const CREATES_AT_KEY = new Set(['PUT /admin/v1/message-opt-outs/:phone']);

// ---------------------------------------------------------------------------------------------
// How each route is called. `on` is the side whose resource the request names; `id(real)` is the
// resource's id, or an unknown one for the not-found cases.

interface Req {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE' | 'OPTIONS';
  url: string;
  payload?: unknown;
  headers?: Record<string, string>;
  /** For listings: what the listing must show ('in') or omit ('out'). */
  marker?: string;
}
interface Call {
  on: Side;
  f: SideFixtures;
  id(real: string): string;
}

let t: TestApp;
let w: AccessWorld;
let tokenClient: TestClient;
let signInPerson: TestPerson;
let previewSettings: unknown;
let fakeFcm: FakeFcm;
const spareQueueName = () => `${w.QA.queue.name}-spare`;

const get = (url: string, marker?: string): Req => ({ method: 'GET', url, ...(marker !== undefined && { marker }) });
const post = (url: string, payload: unknown = {}): Req => ({ method: 'POST', url, payload });
const fixture = (method: Exclude<Req['method'], 'OPTIONS'>, url: string, payload?: unknown) => fixtureCall(t.app, w.root.admin, method, url, payload);

async function queueIdByName(name: string): Promise<string | undefined> {
  const list = (await fixture('GET', '/admin/v1/queues'))!.items as { id: string; name: string }[];
  return list.find((q) => q.name === name)?.id;
}

/** A queue to create or delete: on QA's side, one the restricted caller's allow-list names. */
async function queueToCreate(on: Side): Promise<string> {
  if (on === 'QB') return `${w.QB.queue.name}-new-${uid()}`;
  const existing = await queueIdByName(spareQueueName());
  if (existing) await fixture('DELETE', `/admin/v1/queues/${existing}`);
  return spareQueueName();
}
async function queueToDelete(on: Side): Promise<string> {
  const name = on === 'QB' ? `${w.QB.queue.name}-old-${uid()}` : spareQueueName();
  const existing = await queueIdByName(name);
  if (existing) return existing;
  return (await fixture('POST', '/admin/v1/queues', { name, timezone: 'America/New_York' }))!.id as string;
}

/** Puts the side's number (back) on the opt-out list: a DELETE case may have taken it off. */
const listOptOut = (phone: string) => fixture('PUT', `/admin/v1/message-opt-outs/${encodeURIComponent(phone)}`, {});
/** The number a request names: the side's, listed; for the not-found cases one never listed. */
async function optOutKey(phone: string, id: Call['id']): Promise<string> {
  if (id(phone) !== phone) return randomPhone('+1212559');
  await listOptOut(phone);
  return phone;
}

const REQUESTS: Record<string, (c: Call) => Req | Promise<Req>> = {
  'GET /healthz': () => get('/healthz'),
  'GET /readyz': () => get('/readyz'),
  'GET /metrics': () => get('/metrics'),
  'GET /openapi.json': () => get('/openapi.json'),
  'GET /console': () => get('/console'),
  'GET /console*': () => get('/console/callbacks'),
  'POST /oauth/token': () => post('/oauth/token', { grant_type: 'client_credentials', client_id: tokenClient.clientId, client_secret: tokenClient.clientSecret }),

  'GET /admin/v1/clients': ({ f }) => get('/admin/v1/clients', f.client.id),
  'POST /admin/v1/clients': ({ f }) => post('/admin/v1/clients', { name: `new-client-${uid()}`, roles: ['actions'], queues: [f.queue.name] }),
  'GET /admin/v1/clients/:id': ({ f, id }) => get(`/admin/v1/clients/${id(f.client.id)}`),
  'PATCH /admin/v1/clients/:id': ({ f, id }) => ({ method: 'PATCH', url: `/admin/v1/clients/${id(f.client.id)}`, payload: { active: true } }),
  'DELETE /admin/v1/clients/:id': async ({ f, id }) => {
    const c = (await fixture('POST', '/admin/v1/clients', { name: `doomed-${uid()}`, roles: ['actions'], queues: [f.queue.name] }))!;
    return { method: 'DELETE', url: `/admin/v1/clients/${id((c.client as { clientId: string }).clientId)}` };
  },
  'POST /admin/v1/clients/:id/rotate-secret': ({ f, id }) => post(`/admin/v1/clients/${id(f.client.id)}/rotate-secret`),
  'POST /admin/v1/clients/:id/rotate-key': async ({ f, id }) => {
    const k = (await fixture('POST', '/admin/v1/clients', { name: `key-${uid()}`, kind: 'publishable', queues: [f.queue.name], origins: [WEB_ORIGIN] }))!;
    return post(`/admin/v1/clients/${id((k.client as { clientId: string }).clientId)}/rotate-key`, { overlapSeconds: 60 });
  },
  'GET /public/v1/callbacks/:id': ({ f, id }) => get(`/public/v1/callbacks/${id(f.callbackId)}`),
  'POST /public/v1/callbacks/:id/cancel': ({ f, id }) => post(`/public/v1/callbacks/${id(f.callbackId)}/cancel`),
  'POST /public/v1/callbacks/:id/reschedule': ({ f, id }) => post(`/public/v1/callbacks/${id(f.callbackId)}/reschedule`, { desiredTime: scheduledTime(3) }),
  'GET /public/v1/callbacks/:id/availability': ({ f, id }) => get(`/public/v1/callbacks/${id(f.callbackId)}/availability`),
  'OPTIONS *': () => ({ method: 'OPTIONS', url: '/admin/v1/clients', headers: { origin: WEB_ORIGIN, 'access-control-request-method': 'GET' } }),

  'GET /admin/v1/users': ({ f }) => get('/admin/v1/users', f.user.id),
  'POST /admin/v1/users': ({ f }) => post('/admin/v1/users', { username: `new-user-${uid()}`, roles: ['monitor'], queues: [f.queue.name] }),
  'GET /admin/v1/users/:id': ({ f, id }) => get(`/admin/v1/users/${id(f.user.id)}`),
  'PATCH /admin/v1/users/:id': ({ f, id }) => ({ method: 'PATCH', url: `/admin/v1/users/${id(f.user.id)}`, payload: { displayName: `Person ${uid()}` } }),
  'DELETE /admin/v1/users/:id': async ({ f, id }) => {
    const u = (await fixture('POST', '/admin/v1/users', { username: `doomed-${uid()}`, roles: ['monitor'], queues: [f.queue.name] }))!;
    return { method: 'DELETE', url: `/admin/v1/users/${id((u.user as { id: string }).id)}` };
  },
  'POST /admin/v1/users/:id/password': ({ f, id }) => post(`/admin/v1/users/${id(f.user.id)}/password`, {}),

  'GET /auth/v1/providers': () => get('/auth/v1/providers'),
  'POST /auth/v1/session': () => post('/auth/v1/session', { username: signInPerson.username, password: signInPerson.password }),
  'GET /auth/v1/session': () => get('/auth/v1/session'),
  'DELETE /auth/v1/session': () => ({ method: 'DELETE', url: '/auth/v1/session' }),
  'GET /auth/v1/genesys/start': () => get('/auth/v1/genesys/start'),
  'GET /auth/v1/genesys/callback': () => get('/auth/v1/genesys/callback?code=some-code&state=some-state'),
  'GET /admin/v1/genesys-sign-in/mappings': () => get('/admin/v1/genesys-sign-in/mappings'),
  'PUT /admin/v1/genesys-sign-in/mappings': () => ({ method: 'PUT', url: '/admin/v1/genesys-sign-in/mappings', payload: { items: [] } }),

  'GET /admin/v1/audit': ({ f }) => get(`/admin/v1/audit?entity=queue&entityId=${f.queue.id}`, f.queue.id),

  'GET /admin/v1/queues': ({ f }) => get('/admin/v1/queues', f.queue.id),
  'POST /admin/v1/queues': async ({ on }) => post('/admin/v1/queues', { name: await queueToCreate(on), timezone: 'America/New_York' }),
  'GET /admin/v1/queues/:id': ({ f, id }) => get(`/admin/v1/queues/${id(f.queue.id)}`),
  'PATCH /admin/v1/queues/:id': ({ f, id }) => ({ method: 'PATCH', url: `/admin/v1/queues/${id(f.queue.id)}`, payload: { maxPendingPerNumber: 100 } }),
  'DELETE /admin/v1/queues/:id': async ({ on, id }) => ({ method: 'DELETE', url: `/admin/v1/queues/${id(await queueToDelete(on))}` }),

  'GET /admin/v1/business-hours': ({ f }) => get('/admin/v1/business-hours', f.hoursId),
  'POST /admin/v1/business-hours': () => post('/admin/v1/business-hours', { name: `hours-${uid()}`, timezone: 'America/New_York', weekly: ALL_WEEK, exceptions: [] }),
  'GET /admin/v1/business-hours/:id': ({ f, id }) => get(`/admin/v1/business-hours/${id(f.hoursId)}`),
  'PATCH /admin/v1/business-hours/:id': ({ f, id }) => ({ method: 'PATCH', url: `/admin/v1/business-hours/${id(f.hoursId)}`, payload: { exceptions: [] } }),
  'DELETE /admin/v1/business-hours/:id': ({ f, id }) => ({ method: 'DELETE', url: `/admin/v1/business-hours/${id(f.hoursId)}` }),

  'GET /admin/v1/capacity-rules': ({ f }) => get('/admin/v1/capacity-rules', f.capacityRuleId),
  'POST /admin/v1/capacity-rules': () => post('/admin/v1/capacity-rules', { name: `rule-${uid()}`, timeslotLength: 'hour', cells: {} }),
  'GET /admin/v1/capacity-rules/:id': ({ f, id }) => get(`/admin/v1/capacity-rules/${id(f.capacityRuleId)}`),
  'PATCH /admin/v1/capacity-rules/:id': ({ f, id }) => ({ method: 'PATCH', url: `/admin/v1/capacity-rules/${id(f.capacityRuleId)}`, payload: { timeslotLength: 'hour' } }),
  'DELETE /admin/v1/capacity-rules/:id': ({ f, id }) => ({ method: 'DELETE', url: `/admin/v1/capacity-rules/${id(f.capacityRuleId)}` }),
  'PUT /admin/v1/capacity-rules/:id/statement': ({ f, id }) => ({ method: 'PUT', url: `/admin/v1/capacity-rules/${id(f.capacityRuleId)}/statement`, payload: FULL_CELLS }),

  'GET /admin/v1/number-rules': ({ f }) => get('/admin/v1/number-rules', f.numberRuleId),
  'POST /admin/v1/number-rules': () => post('/admin/v1/number-rules', { name: `numbers-${uid()}`, permittedCountries: ['US'] }),
  'GET /admin/v1/number-rules/:id': ({ f, id }) => get(`/admin/v1/number-rules/${id(f.numberRuleId)}`),
  'PATCH /admin/v1/number-rules/:id': ({ f, id }) => ({ method: 'PATCH', url: `/admin/v1/number-rules/${id(f.numberRuleId)}`, payload: { blockedNumberTypes: [] } }),
  'DELETE /admin/v1/number-rules/:id': ({ f, id }) => ({ method: 'DELETE', url: `/admin/v1/number-rules/${id(f.numberRuleId)}` }),
  'POST /admin/v1/number-rules/:id/test': ({ f, id }) => post(`/admin/v1/number-rules/${id(f.numberRuleId)}/test`, { phoneNumber: '+12125550100' }),

  'GET /admin/v1/prioritization-policies': ({ f }) => get('/admin/v1/prioritization-policies', f.policyId),
  'POST /admin/v1/prioritization-policies': () => post('/admin/v1/prioritization-policies', { name: `policy-${uid()}`, mode: 'step', intervalSeconds: 300, maxSteps: 5, maxPriority: 100 }),
  'GET /admin/v1/prioritization-policies/:id': ({ f, id }) => get(`/admin/v1/prioritization-policies/${id(f.policyId)}`),
  'PATCH /admin/v1/prioritization-policies/:id': ({ f, id }) => ({ method: 'PATCH', url: `/admin/v1/prioritization-policies/${id(f.policyId)}`, payload: { maxSteps: 5 } }),
  'DELETE /admin/v1/prioritization-policies/:id': ({ f, id }) => ({ method: 'DELETE', url: `/admin/v1/prioritization-policies/${id(f.policyId)}` }),

  'GET /admin/v1/callback-retry-policies': ({ f }) => get('/admin/v1/callback-retry-policies', f.callbackRetryPolicyId),
  'POST /admin/v1/callback-retry-policies': () => post('/admin/v1/callback-retry-policies', { name: `callback-retry-${uid()}`, wrapUpCodes: [{ id: `no-answer-${uid()}` }], waitSeconds: 600, maxAttempts: 3 }),
  'GET /admin/v1/callback-retry-policies/:id': ({ f, id }) => get(`/admin/v1/callback-retry-policies/${id(f.callbackRetryPolicyId)}`),
  'PATCH /admin/v1/callback-retry-policies/:id': ({ f, id }) => ({ method: 'PATCH', url: `/admin/v1/callback-retry-policies/${id(f.callbackRetryPolicyId)}`, payload: { maxAttempts: 3 } }),
  'DELETE /admin/v1/callback-retry-policies/:id': ({ f, id }) => ({ method: 'DELETE', url: `/admin/v1/callback-retry-policies/${id(f.callbackRetryPolicyId)}` }),

  'GET /admin/v1/webhooks': ({ f }) => get('/admin/v1/webhooks', f.webhookId),
  'POST /admin/v1/webhooks': ({ f }) => post('/admin/v1/webhooks', { name: `webhook-${uid()}`, url: 'https://hooks.example.com/y', queueIds: [f.queue.id] }),
  'GET /admin/v1/webhooks/:id': ({ f, id }) => get(`/admin/v1/webhooks/${id(f.webhookId)}`),
  'PATCH /admin/v1/webhooks/:id': ({ f, id }) => ({ method: 'PATCH', url: `/admin/v1/webhooks/${id(f.webhookId)}`, payload: { disableAfterDays: 3 } }),
  'DELETE /admin/v1/webhooks/:id': async ({ f, id }) => {
    const made = (await fixture('POST', '/admin/v1/webhooks', { name: `webhook-${uid()}`, url: 'https://hooks.example.com/z', queueIds: [f.queue.id] }))!;
    return { method: 'DELETE', url: `/admin/v1/webhooks/${id(made.id as string)}` };
  },
  'GET /admin/v1/call-in-groups': ({ f }) => get('/admin/v1/call-in-groups', f.callInGroupId),
  'POST /admin/v1/call-in-groups': ({ f }) => post('/admin/v1/call-in-groups', { name: `call-in-${uid()}`, queueId: f.queue.id, dnis: [{ number: f.callInDnis }] }),
  'GET /admin/v1/call-in-groups/:id': ({ f, id }) => get(`/admin/v1/call-in-groups/${id(f.callInGroupId)}`),
  'PATCH /admin/v1/call-in-groups/:id': ({ f, id }) => ({ method: 'PATCH', url: `/admin/v1/call-in-groups/${id(f.callInGroupId)}`, payload: { expirySeconds: 30 } }),
  'DELETE /admin/v1/call-in-groups/:id': async ({ f, id }) => {
    const made = (await fixture('POST', '/admin/v1/call-in-groups', { name: `doomed-${uid()}`, queueId: f.queue.id, dnis: [{ number: f.callInDnis }] }))!;
    return { method: 'DELETE', url: `/admin/v1/call-in-groups/${id(made.id as string)}` };
  },
  'GET /admin/v1/call-in-groups/:id/dnis': ({ f, id }) => get(`/admin/v1/call-in-groups/${id(f.callInGroupId)}/dnis`),
  'PUT /admin/v1/call-in-groups/:id/dnis': ({ f, id }) => ({ method: 'PUT', url: `/admin/v1/call-in-groups/${id(f.callInGroupId)}/dnis`, payload: { dnis: [{ number: f.callInDnis }] } }),
  'POST /admin/v1/call-in-groups/:id/dnis/import': ({ f, id }) => ({
    method: 'POST',
    url: `/admin/v1/call-in-groups/${id(f.callInGroupId)}/dnis/import`,
    headers: { 'content-type': 'text/csv' },
    payload: `number,description\n${f.callInDnis},access matrix\n`,
  }),
  'GET /admin/v1/call-in-groups/:id/dnis/export': ({ f, id }) => get(`/admin/v1/call-in-groups/${id(f.callInGroupId)}/dnis/export`),
  'GET /admin/v1/call-in/requests': ({ f }) => get('/admin/v1/call-in/requests', f.callInRequestId),
  'POST /admin/v1/webhooks/:id/rotate-secret': ({ f, id }) => post(`/admin/v1/webhooks/${id(f.webhookId)}/rotate-secret`),
  'POST /admin/v1/webhooks/:id/test': ({ f, id }) => post(`/admin/v1/webhooks/${id(f.webhookId)}/test`),
  'GET /admin/v1/webhooks/:id/deliveries': ({ f, id }) => get(`/admin/v1/webhooks/${id(f.webhookId)}/deliveries`),
  'GET /admin/v1/message-opt-outs': async ({ f }) => {
    await listOptOut(f.optOutPhone);
    return get(`/admin/v1/message-opt-outs?phone=${encodeURIComponent('+1212555011')}`, f.optOutPhone);
  },
  'GET /admin/v1/message-opt-outs/:phone': async ({ f, id }) => get(`/admin/v1/message-opt-outs/${encodeURIComponent(await optOutKey(f.optOutPhone, id))}`),
  'PUT /admin/v1/message-opt-outs/:phone': ({ f }) => ({ method: 'PUT', url: `/admin/v1/message-opt-outs/${encodeURIComponent(f.optOutPhone)}`, payload: { note: `matrix ${uid()}` } }),
  'DELETE /admin/v1/message-opt-outs/:phone': async ({ f, id }) => ({ method: 'DELETE', url: `/admin/v1/message-opt-outs/${encodeURIComponent(await optOutKey(f.optOutPhone, id))}` }),
  'GET /admin/v1/callbacks/:id/notifications': ({ f, id }) => get(`/admin/v1/callbacks/${id(f.callbackId)}/notifications`),

  'GET /admin/v1/retry-policies': ({ f }) => get('/admin/v1/retry-policies', f.retryPolicyId),
  'POST /admin/v1/retry-policies': () => post('/admin/v1/retry-policies', { name: `retry-${uid()}`, match: `WRAPUP-${uid()}`, waitSeconds: 60, maxAttempts: 3 }),
  'GET /admin/v1/retry-policies/:id': ({ f, id }) => get(`/admin/v1/retry-policies/${id(f.retryPolicyId)}`),
  'PATCH /admin/v1/retry-policies/:id': ({ f, id }) => ({ method: 'PATCH', url: `/admin/v1/retry-policies/${id(f.retryPolicyId)}`, payload: { waitSeconds: 60 } }),
  'DELETE /admin/v1/retry-policies/:id': async ({ id }) => {
    const p = (await fixture('POST', '/admin/v1/retry-policies', { name: `doomed-${uid()}`, match: `DOOMED-${uid()}`, waitSeconds: 60, maxAttempts: 1 }))!;
    return { method: 'DELETE', url: `/admin/v1/retry-policies/${id(p.id as string)}` };
  },
  'GET /admin/v1/settings/preview-retries': () => get('/admin/v1/settings/preview-retries'),
  'PUT /admin/v1/settings/preview-retries': () => ({ method: 'PUT', url: '/admin/v1/settings/preview-retries', payload: previewSettings }),
  'GET /admin/v1/settings/push': () => get('/admin/v1/settings/push'),
  'PUT /admin/v1/settings/push': () => ({ method: 'PUT', url: '/admin/v1/settings/push', payload: fakeFcm.account }),
  'DELETE /admin/v1/settings/push': () => ({ method: 'DELETE', url: '/admin/v1/settings/push' }),
  'POST /admin/v1/settings/push/test': async () => {
    await fixture('PUT', '/admin/v1/settings/push', fakeFcm.account);
    return post('/admin/v1/settings/push/test', { deviceToken: `matrix-device-${uid()}` });
  },
  'GET /admin/v1/preview-contacts': ({ f }) => get(`/admin/v1/preview-contacts?phone=${encodeURIComponent(f.previewContact.phoneNumber)}`, f.previewContact.id),
  'GET /admin/v1/preview-contacts/:id': ({ f, id }) => get(`/admin/v1/preview-contacts/${id(f.previewContact.id)}`),

  'GET /admin/v1/campaigns': ({ f }) => get('/admin/v1/campaigns', f.campaign.id),
  'POST /admin/v1/campaigns': async ({ f }) => {
    // The same body a fixture campaign of this queue is created with, posted by the caller instead.
    const probe = await freshCampaign(t, w.root.admin, f.queue, f.numberRuleId);
    const body = (await fixture('GET', `/admin/v1/campaigns/${probe.id}`))!;
    await fixture('DELETE', `/admin/v1/campaigns/${probe.id}`);
    const { id: _id, createdAt: _c, updatedAt: _u, ...rest } = body;
    return post('/admin/v1/campaigns', { ...rest, name: `campaign-${uid()}` });
  },
  'GET /admin/v1/campaigns/:id': ({ f, id }) => get(`/admin/v1/campaigns/${id(f.campaign.id)}`),
  'PATCH /admin/v1/campaigns/:id': ({ f, id }) => ({ method: 'PATCH', url: `/admin/v1/campaigns/${id(f.campaign.id)}`, payload: { maxDelaySeconds: 86_400 } }),
  'DELETE /admin/v1/campaigns/:id': async ({ f, id }) => ({ method: 'DELETE', url: `/admin/v1/campaigns/${id((await freshCampaign(t, w.root.admin, f.queue, f.numberRuleId)).id)}` }),
  'GET /admin/v1/campaigns/:id/callbacks': ({ f, id }) => get(`/admin/v1/campaigns/${id(f.campaign.id)}/callbacks`),
  'GET /admin/v1/campaign-callbacks': async ({ f }) => get('/admin/v1/campaign-callbacks?limit=250', await freshCampaignCallback(t, w.root.actions, f.campaign.name)),
  'GET /admin/v1/campaign-callbacks/:id': async ({ f, id }) => get(`/admin/v1/campaign-callbacks/${id(await freshCampaignCallback(t, w.root.actions, f.campaign.name))}`),
  'POST /admin/v1/campaign-callbacks/:id/cancel': async ({ f, id }) => post(`/admin/v1/campaign-callbacks/${id(await freshCampaignCallback(t, w.root.actions, f.campaign.name))}/cancel`),

  'GET /admin/v1/callbacks': ({ f }) => get(`/admin/v1/callbacks?phone=${encodeURIComponent(f.callbackPhone)}&limit=250`, f.callbackId),
  'GET /admin/v1/callbacks/:id': ({ f, id }) => get(`/admin/v1/callbacks/${id(f.callbackId)}`),
  'GET /admin/v1/callbacks/search': ({ f }) => get(`/admin/v1/callbacks/search?q=${encodeURIComponent(f.callbackPhone)}&limit=250`, f.callbackId),
  'GET /admin/v1/callbacks/export': ({ f }) => get(`/admin/v1/callbacks/export?q=${encodeURIComponent(f.callbackPhone)}`, f.callbackId),
  'GET /admin/v1/queues/overview': ({ f }) => get('/admin/v1/queues/overview', f.queue.id),
  'GET /admin/v1/reports/summary': ({ f }) => get('/admin/v1/reports/summary?groupBy=queue', f.queue.id),
  'GET /admin/v1/queues/:id/utilization': ({ f, id }) => get(`/admin/v1/queues/${id(f.queue.id)}/utilization?days=2`),
  'GET /admin/v1/business-hours/:id/preview': ({ f, id }) => get(`/admin/v1/business-hours/${id(f.hoursId)}/preview?date=2030-03-10`),
  'GET /admin/v1/business-hours/:id/holidays': ({ f, id }) => get(`/admin/v1/business-hours/${id(f.hoursId)}/holidays?year=2027`),
  'GET /admin/v1/holiday-calendars': () => get('/admin/v1/holiday-calendars?country=US'),
  'GET /admin/v1/capacity-rules/:id/conversion': ({ f, id }) => get(`/admin/v1/capacity-rules/${id(f.capacityRuleId)}/conversion?to=halfHour`),
  'GET /admin/v1/genesys/status': () => get('/admin/v1/genesys/status'),
  'POST /admin/v1/callbacks': ({ f }) => post('/admin/v1/callbacks', { queue: f.queue.name, phoneNumber: randomPhone('+1212555'), desiredTime: scheduledTime(4) }),
  'POST /admin/v1/callbacks/:id/cancel': async ({ f, id }) => post(`/admin/v1/callbacks/${id(await freshCallback(t, w.root.actions, f.queue.name))}/cancel`),
  'POST /admin/v1/callbacks/bulk-cancel': ({ f }) => post('/admin/v1/callbacks/bulk-cancel', { filter: { queue: f.queue.name }, dryRun: true }),
  'POST /admin/v1/callbacks/:id/reschedule': async ({ f, id }) =>
    post(`/admin/v1/callbacks/${id(await freshCallback(t, w.root.actions, f.queue.name, true))}/reschedule`, { desiredTime: scheduledTime(3) }),
  'POST /admin/v1/callbacks/:id/recreate': async ({ f, id }) => post(`/admin/v1/callbacks/${id(await freshCompletedCallback(t, w.root, f.queue.name))}/recreate`, {}),

  'GET /admin/v1/aging-tracks': ({ f }) => get('/admin/v1/aging-tracks?limit=250', f.trackConversationId),
  'GET /admin/v1/aging-tracks/:conversationId': ({ f, id }) => get(`/admin/v1/aging-tracks/${id(f.trackConversationId)}`),
  'GET /admin/v1/genesys/simulated-calls': ({ f }) => get('/admin/v1/genesys/simulated-calls?operation=createCallback&limit=250', f.simulatedCallMarker),

  'POST /actions/v1/availability': ({ f }) => post('/actions/v1/availability', { queue: f.queue.name }),
  'POST /actions/v1/open-for': ({ f }) => post('/actions/v1/open-for', { queue: f.queue.name }),
  'POST /actions/v1/numbers/check': ({ f }) => post('/actions/v1/numbers/check', { queue: f.queue.name, phoneNumber: '+12125550100' }),
  'POST /actions/v1/callbacks/create': ({ f }) => post('/actions/v1/callbacks/create', { queue: f.queue.name, phoneNumber: randomPhone('+1212555') }),
  'POST /actions/v1/callbacks/lookup': ({ f }) => post('/actions/v1/callbacks/lookup', { queue: f.queue.name, phoneNumber: f.callbackPhone }),
  'POST /actions/v1/callbacks/cancel': async ({ f }) => post('/actions/v1/callbacks/cancel', { callbackId: await freshCallback(t, w.root.actions, f.queue.name) }),
  'POST /actions/v1/callbacks/reschedule': async ({ f }) =>
    post('/actions/v1/callbacks/reschedule', { callbackId: await freshCallback(t, w.root.actions, f.queue.name, true), desiredTime: scheduledTime(3) }),
  'POST /actions/v1/queue-status': ({ f }) => post('/actions/v1/queue-status', { queue: f.queue.name }),
  'POST /actions/v1/offers': ({ f }) => post('/actions/v1/offers', { queue: f.queue.name, conversationId: `offer-${uid()}`, offered: 'BOTH', result: 'ACCEPTED' }),
  'POST /actions/v1/campaign-callbacks': ({ f }) => post('/actions/v1/campaign-callbacks', { campaign: f.campaign.name, phoneNumber: randomPhone('+1212555'), delaySeconds: 60 }),
  'POST /actions/v1/messages/opt-out': () => post('/actions/v1/messages/opt-out', { phoneNumber: randomPhone('+1212558'), text: 'STOP' }),
  'POST /actions/v1/call-in/requests': ({ f }) => post('/actions/v1/call-in/requests', { group: f.callInGroupName, fromPhoneNumber: randomPhone('+1212559') }),
  'POST /actions/v1/call-in/match': ({ f }) => post('/actions/v1/call-in/match', { dialedNumber: f.callInDnis, accessCode: '123456' }),
  'POST /actions/v1/campaign-callbacks/cancel': async ({ f }) => post('/actions/v1/campaign-callbacks/cancel', { callbackId: await freshCampaignCallback(t, w.root.actions, f.campaign.name) }),

  'POST /events/v1/conversation-acd-start': ({ f }) => post('/events/v1/conversation-acd-start', acdStartEvent(f.queue.genesysQueueId)),
  'POST /events/v1/conversation-acd-end': async ({ f }) => {
    const { conversationId } = await freshDeliveredCallback(t, w.root.actions, f.queue.name);
    await freshTrack(t, w.root.events, f.queue.genesysQueueId, conversationId);
    return post('/events/v1/conversation-acd-end', { conversationId, participantId: randomUUID(), eventTime: new Date().toISOString(), acdOutcome: 'ANSWERED', queueId: f.queue.genesysQueueId });
  },
  'POST /events/v1/conversation-user-start': async ({ f }) => {
    // An agent alerted on a delivered callback: it moves to ROUTING, or nothing when not ours.
    const { conversationId } = await freshDeliveredCallback(t, w.root.actions, f.queue.name);
    return post('/events/v1/conversation-user-start', { conversationId, participantId: randomUUID(), eventTime: new Date().toISOString(), userId: 'agent-1', mediaType: 'CALLBACK', queueId: f.queue.genesysQueueId });
  },
  'POST /events/v1/conversation-user-end': async ({ f }) => {
    const { conversationId } = await freshDeliveredCallback(t, w.root.actions, f.queue.name);
    return post('/events/v1/conversation-user-end', {
      conversationId,
      participantId: randomUUID(),
      eventTime: new Date().toISOString(),
      userId: 'agent-1',
      disconnectType: 'CLIENT',
      mediaType: 'CALLBACK',
      queueId: f.queue.genesysQueueId,
    });
  },
  'POST /events/v1/conversation-wrapup': async ({ f }) => {
    // A handled wrap-up (no code of the side's policy): the callback completes, or nothing when not ours.
    const { conversationId } = await freshDeliveredCallback(t, w.root.actions, f.queue.name);
    return post('/events/v1/conversation-wrapup', { conversationId, participantId: randomUUID(), eventTime: new Date().toISOString(), mediaType: 'CALLBACK', queueId: f.queue.genesysQueueId, wrapupCode: `resolved-${uid()}` });
  },
  'POST /events/v1/preview-accepted': ({ f }) => post('/events/v1/preview-accepted', previewAcceptedEvent(f)),
};

// ---------------------------------------------------------------------------------------------

type Variant = 'unrestricted' | 'restricted to QA, on QA' | 'restricted to QA, on QB';
const VARIANTS: { variant: Variant; restricted: boolean; on: Side }[] = [
  { variant: 'unrestricted', restricted: false, on: 'QB' },
  { variant: 'restricted to QA, on QA', restricted: true, on: 'QA' },
  { variant: 'restricted to QA, on QB', restricted: true, on: 'QB' },
];

function cellCodes(cell: string): [Code, Code, Code] {
  const codes = cell.trim().split(/\s+/) as Code[];
  if (codes.length === 1) return [codes[0]!, codes[0]!, codes[0]!];
  if (codes.length !== 3) throw new Error(`cell "${cell}" needs one code or three`);
  return codes as [Code, Code, Code];
}

/**
 * Every method and path of the app, from its route tree: each line is a segment (with its methods)
 * under the nearest less indented one. HEAD comes with every GET, so it is left out.
 */
function appRoutes(tree: string): string[] {
  const stack: string[] = [];
  return tree.split('\n').flatMap((line) => {
    const m = /^([│ ]*)[├└]── (\S+)(?: \(([A-Z, ]+)\))?$/.exec(line.trimEnd());
    if (!m) return [];
    const depth = m[1]!.length / 4;
    const path = (stack[depth - 1] ?? '') + m[2]!;
    stack[depth] = path;
    stack.length = depth + 1;
    return (m[3] ?? '').split(/,\s*/).filter((method) => method !== '' && method !== 'HEAD').map((method) => `${method} ${path}`);
  });
}

interface Case {
  route: string;
  who: string;
  variant: Variant | 'no token';
  expected: Code;
  headers: () => Headers | undefined;
  on: Side;
}

const callers = new Map<string, Headers>();
const cookieCallers = new Map<string, Headers>();
const TOKEN_ONLY = /^[A-Z]+ \/(actions|events)\//;
// Signing out would end the session the other cases use; test/console-sessions.test.ts covers it.
const COOKIE_SKIPS = new Set(['DELETE /auth/v1/session']);
const OPERATOR_ROLES: readonly Role[] = ['administrator', 'supervisor', 'monitor', 'developer'];
const callerKey = (role: Role, restricted: boolean) => `${role}:${restricted}`;

const cases: Case[] = TABLE.flatMap(([route, noToken, ...cells]) => [
  { route, who: 'no token', variant: 'no token' as const, expected: noToken, headers: () => undefined, on: 'QA' as Side },
  ...ROLE_COLUMNS.flatMap((role, i) => {
    const codes = cellCodes(cells[i]!);
    return VARIANTS.map(({ variant, restricted, on }, v) => ({ route, who: role, variant, expected: codes[v]!, headers: () => callers.get(callerKey(role, restricted)), on }));
  }),
]);

const cookieCases: Case[] = TABLE.filter(([route]) => !COOKIE_SKIPS.has(route)).flatMap(([route, , ...cells]) =>
  ROLE_COLUMNS.flatMap((role, i) => {
    if (!OPERATOR_ROLES.includes(role) && !TOKEN_ONLY.test(route)) return [];
    const codes = cellCodes(cells[i]!);
    return VARIANTS.map(({ variant, restricted, on }, v) => ({
      route,
      who: role,
      variant,
      expected: TOKEN_ONLY.test(route) ? ('401' as const) : route === 'GET /auth/v1/session' ? ('ok' as const) : codes[v]!,
      headers: () => cookieCallers.get(callerKey(role, restricted)),
      on,
    }));
  }),
);

async function run(route: string, on: Side, headers: Headers | undefined, missing = false) {
  const build = REQUESTS[route];
  if (!build) throw new Error(`no request for ${route}`);
  const req = await build({ on, f: w[on], id: (real) => (missing ? (route.includes(':conversationId') ? `missing-${uid()}` : randomUUID()) : real) });
  const res = await t.app.inject({ method: req.method, url: req.url, headers: { ...req.headers, ...headers }, ...(req.payload !== undefined && { payload: req.payload as object }) });
  return { req, res };
}

beforeAll(async () => {
  fakeFcm = await startFakeFcm();
  t = await buildTestApp({ env: { RATE_LIMIT_MAX: '1000000', TOKEN_RATE_LIMIT_MAX: '1000000', DATABASE_POOL_MAX: '20', FCM_BASE_URL: fakeFcm.origin } });
  w = await buildAccessWorld(t);
  tokenClient = await makeClient(t, ['actions']);
  signInPerson = await makePerson(t, ['monitor']);
  previewSettings = await fixture('GET', '/admin/v1/settings/preview-retries');
  for (const role of ROLE_COLUMNS) {
    callers.set(callerKey(role, false), await bearer(t, [role]));
    callers.set(callerKey(role, true), await bearer(t, [role], [w.QA.queue.name, spareQueueName()]));
    cookieCallers.set(callerKey(role, false), sessionHeaders(await signIn(t, await makePerson(t, [role]))) as Headers);
    cookieCallers.set(callerKey(role, true), sessionHeaders(await signIn(t, await makePerson(t, [role], { queues: [w.QA.queue.name, spareQueueName()] }))) as Headers);
  }
}, 300_000);
afterAll(async () => {
  await t?.close();
  await fakeFcm?.close();
});

async function check(route: string, on: Side, headers: Headers | undefined, expected: Code): Promise<void> {
  const { req, res } = await run(route, on, headers);
  const detail = `${req.method} ${req.url} answered ${res.statusCode}: ${res.body.slice(0, 300)}`;
  switch (expected) {
    case 'ok':
      expect(res.statusCode, detail).toBeLessThan(300);
      break;
    case 'ignored':
      expect(res.statusCode, detail).toBe(200);
      expect((res.json() as { action?: string }).action, detail).toBe('IGNORED');
      break;
    case 'in':
    case 'out':
      expect(res.statusCode, detail).toBeLessThan(300);
      expect(req.marker, `${route} needs a marker`).toBeDefined();
      expect(res.body.includes(req.marker!), `${detail}\nexpected the listing to ${expected === 'in' ? 'show' : 'omit'} ${req.marker}`).toBe(expected === 'in');
      break;
    default:
      expect(String(res.statusCode), detail).toBe(expected);
  }
}

describe('access matrix: every route × role × allow-list', () => {
  it('the table names every route of the app, and only those', () => {
    const listed = appRoutes(t.app.printRoutes({ commonPrefix: false })).filter((r) => !r.split(' ')[1]!.startsWith(DOCS_PREFIX));
    expect(listed.length).toBeGreaterThan(50);
    const inTable = TABLE.map((r) => r[0]);
    expect(new Set(listed), 'a route of the app missing from TABLE (or a row for a route that no longer exists)').toEqual(new Set(inTable));
    expect(Object.keys(REQUESTS).sort()).toEqual([...inTable].sort());
  });

  it('Swagger UI under /docs is public', async () => {
    const res = await t.app.inject({ method: 'GET', url: `${DOCS_PREFIX}/json` });
    expect(res.statusCode).toBe(200);
  });

  it.each(cases)('$route · $who · $variant → $expected', async ({ route, headers, on, expected }) => check(route, on, headers(), expected), 120_000);

  // A person signed in to the console (session cookie + X-CSRF-Token) is held to the same table as a
  // client with the same roles and allow-list, except that the cookie opens no data action or event
  // webhook, and it is what GET /auth/v1/session reads.
  it.each(cookieCases)('$route · $who (console session) · $variant → $expected', async ({ route, headers, on, expected }) => check(route, on, headers(), expected), 120_000);
});

describe('access matrix: unknown ids are not found for a caller the table allows', () => {
  const withIds = TABLE.filter(([route]) => route.includes('/:')).flatMap(([route, , ...cells]) => {
    const i = cells.findIndex((cell) => ['ok', 'in', '409'].includes(cellCodes(cell)[0]));
    return i < 0 || CREATES_AT_KEY.has(route) ? [] : [{ route, role: ROLE_COLUMNS[i]! }];
  });

  it.each(withIds)('$route · $role (unrestricted) · unknown id → not found', async ({ route, role }) => {
    const { req, res } = await run(route, 'QA', callers.get(callerKey(role, false)), true);
    const detail = `${req.method} ${req.url} answered ${res.statusCode}: ${res.body.slice(0, 300)}`;
    if (NOT_FOUND_OUTCOME.has(route)) {
      expect(res.statusCode, detail).toBe(200);
      expect((res.json() as { outcome: string }).outcome, detail).toBe('NOT_FOUND');
    } else expect(res.statusCode, detail).toBe(404);
  }, 120_000);
});

describe('access matrix: a publishable key on every route', () => {
  let keyHeaders: Record<string, string>;
  beforeAll(async () => {
    const created = (await fixture('POST', '/admin/v1/clients', { name: `matrix-key-${uid()}`, kind: 'publishable', queues: [w.QA.queue.name], origins: [WEB_ORIGIN] }))!;
    keyHeaders = { 'x-api-key': created.publishableKey as string, origin: WEB_ORIGIN };
  });

  it('the routes open to keys are routes of the app', () => {
    const inTable = new Set(TABLE.map((r) => r[0]));
    for (const route of Object.keys(PUBLISHABLE_OPEN)) expect(inTable.has(route), route).toBe(true);
  });

  const keyCases = TABLE.filter(([route]) => route !== 'OPTIONS *').flatMap(([route]) => {
    const [onQA, onQB] = (PUBLISHABLE_OPEN[route] ?? '403 403').split(' ') as [Code, Code];
    return [
      { route, on: 'QA' as Side, expected: onQA },
      { route, on: 'QB' as Side, expected: onQB },
    ];
  });
  it.each(keyCases)('$route · publishable key (QA) · on $on → $expected', async ({ route, on, expected }) => {
    const { req, res } = await run(route, on, keyHeaders as unknown as Headers);
    const detail = `${req.method} ${req.url} answered ${res.statusCode}: ${res.body.slice(0, 300)}`;
    if (expected === 'ok') expect(res.statusCode, detail).toBeLessThan(300);
    else {
      expect(String(res.statusCode), detail).toBe(expected);
      expect(['FORBIDDEN', 'UNAUTHORIZED'], detail).toContain((res.json() as { error: string }).error);
    }
  }, 120_000);
});

describe('access matrix: the self-service routes with a manage token', () => {
  /** A scheduled callback created through a publishable key of each side's queue, with its manage token. */
  const made: Partial<Record<Side, { id: string; token: string }>> = {};
  beforeAll(async () => {
    for (const side of ['QA', 'QB'] as const) {
      const created = (await fixture('POST', '/admin/v1/clients', { name: `self-service-${side}-${uid()}`, kind: 'publishable', queues: [w[side].queue.name], origins: [WEB_ORIGIN] }))!;
      const res = await t.app.inject({
        method: 'POST',
        url: '/actions/v1/callbacks/create',
        headers: { 'x-api-key': created.publishableKey as string, origin: WEB_ORIGIN },
        payload: { queue: w[side].queue.name, phoneNumber: randomPhone('+1212555'), desiredTime: scheduledTime(2) },
      });
      const body = res.json() as { outcome: string; callbackId: string; manageToken: string };
      expect(body.outcome, res.body).toBe('CREATED');
      made[side] = { id: body.callbackId, token: body.manageToken };
    }
  });

  const routes = TABLE.map((r) => r[0]).filter((route) => route.includes(' /public/v1/'));
  // Read-only routes first: the cancel would leave nothing to reschedule.
  const ordered = [...routes.filter((r) => !r.endsWith('/cancel')), ...routes.filter((r) => r.endsWith('/cancel'))];
  const tokenCases = ordered.flatMap((route) => [
    { route, token: 'its own' as const, expected: 'ok' },
    { route, token: 'another callback’s' as const, expected: '404' },
  ]);
  it.each(tokenCases)('$route · $token manage token → $expected', async ({ route, token, expected }) => {
    const [method, path] = route.split(' ') as ['GET' | 'POST', string];
    const callback = made.QA!;
    const sent = token === 'its own' ? callback.token : made.QB!.token;
    const url = path.replace(':id', callback.id);
    const payload = route.endsWith('/reschedule') ? { desiredTime: scheduledTime(4) } : method === 'POST' ? {} : undefined;
    const res = await t.app.inject({ method, url, headers: { 'x-manage-token': sent }, ...(payload !== undefined && { payload }) });
    const detail = `${method} ${url} answered ${res.statusCode}: ${res.body.slice(0, 300)}`;
    if (expected === 'ok') expect(res.statusCode, detail).toBeLessThan(300);
    else expect(String(res.statusCode), detail).toBe(expected);
  }, 120_000);
});
