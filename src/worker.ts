import closeWithGrace from 'close-with-grace';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { startRuntime } from './runtime.js';

/**
 * `npm run worker`: a job worker without HTTP, for scaling out. Several can run beside the service
 * (set WORKER_ENABLED=false on the service to keep it HTTP-only); jobs are claimed with SKIP LOCKED.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const runtime = await startRuntime(config, logger, { worker: true });
  logger.info({ workers: runtime.runner?.workerIds() }, 'job worker running');
  closeWithGrace({ delay: config.shutdownTimeoutSeconds * 1000, logger }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'worker stopping after an error');
    else logger.info({ signal }, 'worker stopping');
    await runtime.close();
  });
}

main().catch((err: unknown) => {
  process.stderr.write(err instanceof ConfigError ? `Invalid configuration: ${err.message}\n` : `Worker failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
