import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { startRuntime } from './runtime.js';
import { onStop } from './shutdown.js';

/**
 * `npm run worker`: a job worker without HTTP, for scaling out. Several can run beside the service
 * (set WORKER_ENABLED=false on the service to keep it HTTP-only); jobs are claimed with SKIP LOCKED.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const runtime = await startRuntime(config, logger, { worker: true });
  logger.info({ workers: runtime.runner?.workerIds() }, 'job worker running');
  onStop({ delayMs: config.shutdownTimeoutSeconds * 1000, logger, what: 'worker' }, async () => {
    await runtime.close();
    process.stdout.write('Callback engine worker stopped.\n');
  });
}

main().catch((err: unknown) => {
  process.stderr.write(err instanceof ConfigError ? `Invalid configuration: ${err.message}\n` : `Worker failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
