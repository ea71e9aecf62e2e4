import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import underPressure from '@fastify/under-pressure';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { agingRoutes } from './aging/routes.js';
import { auditRoutes } from './audit/routes.js';
import { tokenRoutes } from './auth/routes.js';
import { availabilityRoutes } from './availability/routes.js';
import { deskRoutes } from './callbacks/desk-routes.js';
import { callbackRetryPolicyRoutes } from './callbacks/retry-policy-routes.js';
import { optOutActionRoutes, optOutRoutes } from './notifications/opt-out-routes.js';
import { callInActionRoutes } from './callin/request-routes.js';
import { createCodeHasher } from './callin/codes.js';
import { callInGroupRoutes } from './callin/group-routes.js';
import { webhookRoutes } from './notifications/webhook-routes.js';
import { deskSearchRoutes } from './callbacks/desk-search-routes.js';
import { callbackActionRoutes } from './callbacks/routes.js';
import { campaignActionRoutes, campaignRoutes } from './campaigns/routes.js';
import { capacityRoutes } from './capacity/routes.js';
import { activePublishableOrigins, findClient, findKeyByHash } from './clients/queries.js';
import { createSecretBox } from './auth/encryption.js';
import { webCors, webGuard } from './http/web.js';
import { createLinkSigner } from './selfservice/link.js';
import { FcmSender } from './notifications/fcm.js';
import { pushSettingsRoutes } from './notifications/push-routes.js';
import { selfServiceRoutes } from './selfservice/routes.js';
import { clientRoutes } from './clients/routes.js';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import { createCaches, type Services } from './context.js';
import type { BusinessMetrics } from './ops/business-metrics.js';
import type { Database } from './db/database.js';
import type { GenesysGateway } from './genesys/gateway.js';
import { createGenesysCheck } from './genesys/readiness.js';
import { simulatedCallRoutes } from './genesys/routes.js';
import { createSimulatedGateway } from './genesys/simulated-gateway.js';
import auth from './http/auth.js';
import framing from './http/framing.js';
import { consoleFrameAncestors } from './genesys/framing.js';
import errorHandler, { clientErrorHandler, frameworkErrors, renderError } from './http/error-handler.js';
import { errors } from './errors.js';
import { refuseUnstorable, utf8JsonParser } from './http/input-guard.js';
import { refuseNonFinite } from './http/finite-numbers.js';
import { consoleRoutes } from './http/console.js';
import swagger from './http/swagger.js';
import { createLogger } from './logger.js';
import metrics from './http/metrics.js';
import { eventRoutes } from './events/routes.js';
import { holidayRoutes, hoursRoutes } from './hours/routes.js';
import { insightRoutes } from './insights/routes.js';
import { numberCheckRoutes, numberRuleRoutes } from './numbers/routes.js';
import { opsRoutes } from './ops/routes.js';
import { queueRoutes } from './queues/routes.js';
import { exportRoutes } from './reports/export-routes.js';
import { offerActionRoutes, reportRoutes } from './reports/routes.js';
import { retryRoutes } from './retries/routes.js';
import { userRoutes } from './users/routes.js';
import { sessionRoutes } from './users/session-routes.js';
import { resolveSession, type SessionSettings } from './users/sessions.js';


export interface AppOptions {
  config: Config;
  database: Database;
  jwtSecret: string;
  logger?: Logger;
  clock?: Clock;
  /** Default: the simulated gateway (tests and tools); server.ts passes the configured one. */
  gateway?: GenesysGateway;
  /** Whether this process's job worker is running, for /readyz; absent when it runs elsewhere. */
  workerHealthy?: () => boolean;
  /** The business metrics this process's job worker counts into (server.ts); default: the app's own. */
  metrics?: BusinessMetrics;
  /** Sends the push test notification; default: one for config.fcmBaseUrl (FCM_BASE_URL). */
  fcm?: FcmSender;
}

const CORRELATION_HEADER = 'inin-correlation-id';
const SAFE_CORRELATION_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

/** Genesys sends ININ-Correlation-Id; we keep it (when it is safe to log) or make one. */
function correlationId(req: IncomingMessage): string {
  const header = req.headers[CORRELATION_HEADER];
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && SAFE_CORRELATION_ID.test(value) ? value : randomUUID();
}

/** Builds the whole service as a Fastify instance; `server.ts` listens, tests inject. */
export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const { config, database } = opts;
  const gateway = opts.gateway ?? createSimulatedGateway(database.db);
  const app = Fastify({
    loggerInstance: (opts.logger ?? createLogger(config.logLevel)) as FastifyBaseLogger,
    genReqId: correlationId,
    requestIdHeader: false,
    logController: new LogController({
      requestIdLogLabel: 'correlationId',
      // Probes and scrapes every few seconds would drown the log.
      disableRequestLogging: (request) => ['/healthz', '/readyz', '/metrics'].includes(request.url),
    }),
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    // Genesys data actions fail on a reset connection: outlive any load balancer's idle timeout (60 s).
    keepAliveTimeout: 72_000,
    requestTimeout: config.requestTimeoutSeconds * 1000,
    // Node takes these only when the server is created (set later, a slow body waits out the 60 s
    // default headersTimeout instead) and checks them on a timer that defaults to 30 s.
    http: {
      requestTimeout: config.requestTimeoutSeconds * 1000,
      headersTimeout: config.requestTimeoutSeconds * 1000,
      connectionsCheckingInterval: 1_000,
    },
    frameworkErrors,
    clientErrorHandler,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Only JSON bodies (and forms, on the token endpoint): anything else is a 415, not a confusing 400.
  app.removeContentTypeParser('text/plain');
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, utf8JsonParser(parseJson));
  const services: Services = { db: database.db, clock: opts.clock ?? systemClock, gateway, caches: createCaches(opts.metrics) };
  services.caches.metrics.collectFromDatabase(database.db, services.clock, config.metricsCacheSeconds * 1000);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('ININ-Correlation-Id', request.id);
  });
  app.addHook('preValidation', refuseUnstorable);
  app.addHook('preHandler', refuseNonFinite);

  await app.register(errorHandler);
  // A JSON API: no HTML of ours to protect with a CSP, and Swagger UI needs inline scripts.
  await app.register(helmet, { contentSecurityPolicy: false });
  await app.register(framing, { consoleAncestors: consoleFrameAncestors(config) });
  await app.register(underPressure, {
    maxEventLoopDelay: config.overloadMaxEventLoopDelayMs,
    retryAfter: 5,
    pressureHandler: (request, reply, type) => {
      const { status, body } = renderError(errors.unavailable(`The service is overloaded (${type})`), request.id);
      void reply.code(status).header('Retry-After', '5').send(body);
    },
  });
  await app.register(metrics, { pool: database.pool, registry: services.caches.metrics.registry });
  await app.register(swagger, { publicBaseUrl: config.publicBaseUrl, clock: services.clock });
  // Before authentication: a page can read why its key was refused (but for a refused origin).
  await app.register(webCors, { config: config.web, activeOrigins: () => app.clientCache.activeOrigins() });
  const sessionSettings: SessionSettings = { idleMs: config.console.idleTimeoutMinutes * 60_000, maxMs: config.console.sessionMaxHours * 3_600_000 };
  await app.register(auth, {
    services,
    findClient: (id) => findClient(database.db, id),
    findKey: (keyHash) => findKeyByHash(database.db, keyHash),
    activeOrigins: () => activePublishableOrigins(database.db),
    findSession: (token) => resolveSession(services, token, sessionSettings),
    jwtSecret: opts.jwtSecret,
    previousSecrets: config.jwtPreviousSecrets,
  });
  await app.register(rateLimit, {
    global: true,
    hook: 'preHandler', // after authentication, so authenticated callers are counted per client
    max: config.rateLimit.max,
    timeWindow: config.rateLimit.windowSeconds * 1000,
    keyGenerator: (request) => (request.caller ? `${request.caller.kind}:${request.caller.id}` : `ip:${request.ip}`),
    // Publishable keys have their own, stricter limits (per key and per client IP: http/web.ts).
    allowList: (request) => request.caller?.channel === 'publishable',
    errorResponseBuilder: (_request, context) => errors.rateLimited(Math.max(1, Math.ceil(context.ttl / 1000))),
  });
  const secretMaterial = config.secretsEncryptionKey ?? opts.jwtSecret;
  await app.register(webGuard, { config: config.web, db: database.db, clock: services.clock, secretBox: createSecretBox(secretMaterial) });

  await app.register(opsRoutes, {
    db: database.db,
    workerHealthy: opts.workerHealthy,
    genesysCheck: gateway.checkAccess ? createGenesysCheck(() => gateway.checkAccess!()) : undefined,
  });
  await app.register(async (scope) => {
    await scope.register(formbody);
    await scope.register(tokenRoutes, { services, tokenTtlSeconds: config.tokenTtlSeconds, rateLimit: { max: config.rateLimit.tokenMax, windowSeconds: config.rateLimit.windowSeconds } });
  });
  app.get('/openapi.json', { config: { public: true, rateLimit: false }, schema: { hide: true } }, async () => app.swagger());

  await app.register(
    async (admin) => {
      await admin.register(async (scope) => {
        scope.addHook('onRequest', app.requireRoles('administrator'));
        await scope.register(clientRoutes);
        await scope.register(userRoutes);
      });
      await admin.register(pushSettingsRoutes, { secretBox: app.secretBox, fcm: opts.fcm ?? new FcmSender({ origin: config.fcmBaseUrl }) });
      await admin.register(async (scope) => {
        scope.addHook('onRequest', app.requireRoles('administrator', 'supervisor'));
        await scope.register(auditRoutes);
      });
      // Configuration: every operator role reads, administrators write (scopes inside crudRoutes).
      await admin.register(queueRoutes);
      await admin.register(hoursRoutes);
      await admin.register(holidayRoutes);
      await admin.register(capacityRoutes);
      await admin.register(numberRuleRoutes);
      await admin.register(deskRoutes);
      await admin.register(deskSearchRoutes);
      await admin.register(exportRoutes);
      await admin.register(insightRoutes);
      await admin.register(agingRoutes);
      await admin.register(retryRoutes);
      await admin.register(callbackRetryPolicyRoutes);
      await admin.register(webhookRoutes, { box: app.secretBox, allowHttp: config.database.kind === 'embedded' });
      await admin.register(optOutRoutes);
      await admin.register(campaignRoutes);
      await admin.register(callInGroupRoutes);
      await admin.register(simulatedCallRoutes);
      await admin.register(reportRoutes({ retentionDays: config.retentionDays, reportRetentionDays: config.reportRetentionDays }));
    },
    { prefix: '/admin/v1' },
  );

  await app.register(sessionRoutes, {
    prefix: '/auth/v1',
    services,
    settings: sessionSettings,
    loginLimits: { perUsername: config.console.loginMaxPerUsername, perIp: config.console.loginMaxPerIp, windowMs: config.console.loginWindowSeconds * 1000 },
    sameSite: config.consoleCookieSameSite,
    genesys: config.genesysSignIn,
    publicBaseUrl: config.publicBaseUrl,
  });

  await app.register(
    async (actions) => {
      actions.addHook('onRequest', app.requireRoles('actions'));
      await actions.register(availabilityRoutes);
      await actions.register(numberCheckRoutes);
      await actions.register(callbackActionRoutes(gateway));
      await actions.register(campaignActionRoutes);
      await actions.register(offerActionRoutes);
      await actions.register(optOutActionRoutes);
      await actions.register(callInActionRoutes, { codes: createCodeHasher(secretMaterial) });
    },
    { prefix: '/actions/v1' },
  );

  await app.register(
    async (events) => {
      events.addHook('onRequest', app.requireRoles('events'));
      await events.register(eventRoutes);
    },
    { prefix: '/events/v1' },
  );

  await app.register(selfServiceRoutes, { services, signer: createLinkSigner(secretMaterial), secretBox: app.secretBox, web: config.web });

  await app.register(consoleRoutes);
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { persistAuthorization: true, docExpansion: 'list' } });
  return app;
}
