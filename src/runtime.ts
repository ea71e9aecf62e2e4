import type { Logger } from 'pino';
import { systemClock } from './clock.js';
import type { Config } from './config.js';
import { createCaches } from './context.js';
import { createBusinessMetrics, type BusinessMetrics } from './ops/business-metrics.js';
import { createDatabase, type Database } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { openDatabase, type OpenedDatabase } from './db/open.js';
import type { GenesysGateway } from './genesys/gateway.js';
import { createGateway } from './genesys/index.js';
import { startJobRunner, type JobRunner } from './jobs/runner.js';
import { buildTaskList, CRONTAB } from './jobs/tasks.js';
import { ensureReconcileJob } from './reconcile/passes.js';
import { resolveJwtSecret } from './auth/jwt-secret.js';
import { createCodeHasher } from './callin/codes.js';
import { createSecretBox } from './auth/encryption.js';
import { createLinkSigner } from './selfservice/link.js';
import { DEFAULT_BACKOFF_MS, DEFAULT_GIVE_UP_AFTER_MS, type NotificationDeps } from './notifications/channels.js';
import { FcmSender } from './notifications/fcm.js';

/** What the service and the standalone worker share: a migrated database, the gateway, the job runner. */
export interface Runtime {
  opened: OpenedDatabase;
  database: Database;
  gateway: GenesysGateway;
  runner: JobRunner | null;
  /** What this process's jobs count (delivery, aging lag, completions); the service serves it with its own. */
  metrics: BusinessMetrics;
  /** Stops the worker (running jobs finish), closes the pool, stops an embedded database we started. */
  close(): Promise<void>;
}

/** What the worker's notify jobs need: the same key material as the app's sealed secrets and self-service links. */
export async function notificationDeps(config: Config): Promise<NotificationDeps> {
  const material = config.secretsEncryptionKey ?? (await resolveJwtSecret(config));
  return {
    secrets: createSecretBox(material),
    codes: createCodeHasher(material),
    links: createLinkSigner(material),
    publicBaseUrl: config.publicBaseUrl,
    fcm: new FcmSender({ origin: config.fcmBaseUrl }),
    backoffMs: DEFAULT_BACKOFF_MS,
    giveUpAfterMs: DEFAULT_GIVE_UP_AFTER_MS,
    leaseMs: config.notifyLeaseSeconds * 1000,
  };
}

export async function startRuntime(config: Config, logger: Logger, opts: { worker: boolean }): Promise<Runtime> {
  const pgLog = logger.child({ component: 'postgres' });
  const opened = await openDatabase(config, (line) => pgLog.debug(line));
  try {
    const { applied } = await migrateToLatest(opened.url);
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
    const database = createDatabase(opened.url, {
      max: config.databasePoolMax,
      timeouts: config.databaseTimeouts,
      onError: (err) => logger.warn({ err: err.message }, 'idle database connection failed'),
    });
    const gateway = createGateway(config.genesys, database.db, logger);
    logger.info({ gateway: gateway.kind }, gateway.kind === 'simulated' ? 'no Genesys credentials: using the simulated gateway' : 'Genesys gateway ready');
    const metrics = createBusinessMetrics();
    const runner = opts.worker
      ? await startJobRunner({
          pool: database.pool,
          db: database.db,
          tasks: buildTaskList({ notifications: await notificationDeps(config), db: database.db, gateway, clock: systemClock, caches: createCaches(metrics), logger, retentionDays: config.retentionDays, reportRetentionDays: config.reportRetentionDays, reconcile: config.reconcile, sessionIdleMs: config.console.idleTimeoutMinutes * 60_000 }),
          concurrency: config.workerConcurrency,
          heartbeatMs: config.workerHeartbeatSeconds * 1000,
          deadAfterSeconds: config.workerDeadAfterSeconds,
          logger,
          crontab: CRONTAB,
        })
      : null;
    if (runner) await ensureReconcileJob(database.db, config.reconcile, systemClock.now());
    let closing: Promise<void> | undefined;
    return {
      opened,
      database,
      gateway,
      runner,
      metrics,
      close: () =>
        (closing ??= (async () => {
          await runner?.stop();
          await gateway.close?.();
          await database.close();
          await opened.embedded?.stop();
        })()),
    };
  } catch (err) {
    await opened.embedded?.stop();
    throw err;
  }
}
