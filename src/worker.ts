import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { serveMetrics } from './ops/metrics-server.js';
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
  const metrics = config.workerMetricsPort === 0 ? null : await serveMetrics(runtime.metrics.registry, config.host, config.workerMetricsPort).catch(async (err: unknown) => {
    await runtime.close();
    throw err;
  });
  logger.info({ workers: runtime.runner?.workerIds(), ...(metrics && { metricsPort: metrics.port }) }, 'job worker running');
  onStop({ delayMs: config.shutdownTimeoutSeconds * 1000, logger, what: 'worker' }, async () => {
    await metrics?.close();
    await runtime.close();
    process.stdout.write('Callback engine worker stopped.\n');
  });
}

main().catch((err: unknown) => {
  process.stderr.write(err instanceof ConfigError ? `Invalid configuration: ${err.message}\n` : `Worker failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
