import { buildApp } from './app.js';
import { resolveJwtSecret } from './auth/jwt-secret.js';

import { ConfigError, DEFAULT_DATA_DIR, loadConfig, type Config } from './config.js';
import { DEMO_QUEUE, seedDemo, type DemoSeed } from './demo.js';
import { createLogger } from './logger.js';
import { startRuntime } from './runtime.js';
import { onStop } from './shutdown.js';

/** Process entry: config, database, migrations, listen, graceful shutdown. */

const shellWord = (s: string) => (/^[\w./:@%+=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** The CLI must open the same embedded database as this process, so the hint carries its DATA_DIR. */
function cliCommand(config: Config): string {
  const env = config.database.kind === 'embedded' && config.dataDir !== DEFAULT_DATA_DIR ? `DATA_DIR=${shellWord(config.dataDir)} ` : '';
  return `${env}npm run cli --`;
}

function banner(config: Config, demo: DemoSeed | null, startupMs: number): string {
  const base = config.publicBaseUrl;
  const lines = [
    '',
    `Callback engine ready in ${startupMs} ms on ${base}`,
    `  API docs:  ${base}/docs   (OpenAPI: ${base}/openapi.json)`,
    `  Database:  ${config.database.kind === 'embedded' ? `embedded PostgreSQL under ${config.dataDir} (port ${config.database.port})` : 'DATABASE_URL'}`,
  ];
  lines.push(`  Console:   ${base}/console/`);
  if (demo?.person) {
    lines.push(`  Sign in to the console as ${demo.person.username} with password ${demo.person.password} (shown this once; only its hash is stored).`);
  } else {
    lines.push(`  Console accounts: ${cliCommand(config)} users create --username NAME --roles administrator`);
  }
  if (demo?.queue) lines.push(`  Demo queue "${DEMO_QUEUE}" created (America/New_York, Mon-Fri 08:00-18:00, Sat 09:00-13:00).`);
  const clients = demo?.clients;
  if (clients) {
    const { admin, actions } = clients;
    lines.push(
      '',
      'Demo clients were created. Their secrets are shown this once; only hashes are stored.',
      `  administrator  client_id=${admin.client.clientId}  client_secret=${admin.clientSecret}`,
      `  data actions   client_id=${actions.client.clientId}  client_secret=${actions.clientSecret}`,
      '',
      'Get an administrator token:',
      `  curl -s -u '${admin.client.clientId}:${admin.clientSecret}' -d grant_type=client_credentials ${base}/oauth/token`,
      'Ask for the demo queue\'s free slots as an Architect flow would:',
      `  TOKEN=$(curl -s -u '${actions.client.clientId}:${actions.clientSecret}' -d grant_type=client_credentials ${base}/oauth/token | sed 's/.*"access_token":"\\([^"]*\\)".*/\\1/')`,
      `  curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"queue":"${DEMO_QUEUE}","maxSlots":3}' ${base}/actions/v1/availability`,
    );
  } else {
    lines.push(
      '',
      'Get a token (client secrets are shown only when a client is created):',
      `  curl -s -u 'CLIENT_ID:CLIENT_SECRET' -d grant_type=client_credentials ${base}/oauth/token`,
      'Create a client:',
      `  ${cliCommand(config)} clients create --name me --roles administrator`,
    );
  }
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const started = performance.now();
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`Invalid configuration: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const runtime = await startRuntime(config, logger, { worker: config.workerEnabled });
  try {
    const demo = config.demoSeed ? await seedDemo(runtime.database.db) : null;
    const app = await buildApp({
      config,
      database: runtime.database,
      jwtSecret: await resolveJwtSecret(config),
      logger,
      gateway: runtime.gateway,
      metrics: runtime.metrics,
      ...(runtime.runner && { workerHealthy: runtime.runner.healthy }),
    });

    const stopping = onStop({ delayMs: config.shutdownTimeoutSeconds * 1000, logger, what: 'service' }, async () => {
      await app.close(); // stops accepting, lets in-flight requests finish
      await runtime.close(); // running jobs finish, then the pool and the embedded database close
      process.stdout.write('Callback engine stopped.\n');
    });
    if (stopping) return;

    await app.listen({ host: config.host, port: config.port });
    process.stdout.write(banner(config, demo, Math.round(performance.now() - started)));
  } catch (err) {
    await runtime.close();
    throw err;
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`Failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
