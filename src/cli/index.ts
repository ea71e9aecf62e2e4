import { parseArgs } from 'node:util';
import { CLIENT_ID_RE } from '../clients/queries.js';
import { createClient, listClients, rotateSecret, updateClient } from '../clients/service.js';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { createDatabase, type Database } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { openDatabase } from '../db/open.js';
import { staleGeneratedFiles, writeGeneratedFiles, writeGenesysExport } from '../docs/generate.js';
import { AppError } from '../errors.js';
import { ROLES, systemCaller, type Role } from '../auth/caller.js';
import { mayUseQueue } from '../auth/access.js';
import { listQueueRows } from '../queues/queries.js';
import { systemClock } from '../clock.js';
import { contextFor, createCaches, type Context } from '../context.js';
import { createSimulatedGateway } from '../genesys/simulated-gateway.js';
import { findUserByUsername } from '../users/queries.js';
import { createUser, deleteUser, listUsers, setPassword, updateUser } from '../users/service.js';

/**
 * Operator commands. They honor the same DATA_DIR / DATABASE_URL as the service: on the embedded
 * default they use the running embedded database, or start it and stop it afterwards.
 * Results go to stdout (JSON with --json); diagnostics go to stderr.
 */

const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  migrate                                         apply pending database migrations
  clients create --name NAME --roles r1,r2 [--queues q1,q2] [--json]
                                                  create an API client; prints its secret once
  clients list [--json]                           list API clients
  clients rotate-secret --id CLIENT_ID [--json]   issue a new secret (old tokens stop working)
  clients deactivate --id CLIENT_ID               refuse the client's tokens from now on
  users create --username U --roles r1,r2 [--queues q1,q2] [--display-name NAME] [--password-stdin] [--json]
                                                  create a person account for the console; prints a generated password once
  users list [--json]                             list person accounts
  users set-password --username U [--password-stdin] [--json]
                                                  set a new password (generated and printed once); signs the person out
  users disable --username U                      refuse the person's sign-ins and end their sessions
  users enable --username U                       allow them again
  users delete --username U                       delete the account (and its sessions)
  generate [--check]                              write openapi/ (or, with --check, fail if stale)
  generate --base-url URL --out DIR               write the Genesys data actions for URL into DIR/genesys/

Roles: ${ROLES.join(', ')}
`;

class UsageError extends Error {}

function list(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
}

function parseRoles(value: string | undefined): Role[] {
  const roles = list(value);
  if (roles.length === 0) throw new UsageError('--roles is required (comma-separated)');
  const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (unknown.length > 0) throw new UsageError(`unknown role(s): ${unknown.join(', ')}`);
  return roles as Role[];
}

function parseClientId(value: string | undefined): string {
  if (!value) throw new UsageError('--id is required');
  if (!CLIENT_ID_RE.test(value)) throw new UsageError(`--id must be a client_id (a UUID, as "clients list" shows), got "${value}"`);
  return value;
}

/** An allow-list entry names a queue by name, our id or its Genesys id; one that names none is a typo. */
async function checkQueues(db: Database['db'], queues: string[]): Promise<void> {
  const known = await listQueueRows(db);
  const unknown = queues.filter((entry) => !known.some((queue) => mayUseQueue({ ...CLI_CALLER, queues: [entry] }, queue)));
  if (unknown.length > 0) {
    throw new UsageError(`unknown queue(s) in --queues: ${unknown.join(', ')} (queues: ${known.map((q) => q.name).join(', ') || 'none yet'})`);
  }
}

async function withDatabase<T>(config: Config, fn: (database: Database) => Promise<T>): Promise<T> {
  const opened = await openDatabase(config);
  try {
    await migrateToLatest(opened.url);
    const database = createDatabase(opened.url, { max: 2, timeouts: config.databaseTimeouts });
    try {
      return await fn(database);
    } finally {
      await database.close();
    }
  } finally {
    await opened.embedded?.stop();
  }
}

const CLI_CALLER = systemCaller('cli');

/** The CLI acts as itself: every role, every queue, audited as `cli`. */
function cliContext(db: Database['db']): Context {
  return contextFor({ db, clock: systemClock, gateway: createSimulatedGateway(db), caches: createCaches() }, CLI_CALLER);
}

function print(json: boolean, value: unknown, text: string): void {
  process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${text}\n`);
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      roles: { type: 'string' },
      queues: { type: 'string' },
      id: { type: 'string' },
      json: { type: 'boolean', default: false },
      check: { type: 'boolean', default: false },
      'base-url': { type: 'string' },
      username: { type: 'string' },
      'display-name': { type: 'string' },
      'password-stdin': { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, sub] = positionals;
  if (values.help || command === undefined) {
    process.stdout.write(USAGE);
    return;
  }
  const json = values.json ?? false;

  if (command === 'generate') {
    if (values['base-url'] !== undefined || values.out !== undefined) {
      if (!values['base-url'] || !values.out) throw new UsageError('--base-url and --out go together');
      const written = await writeGenesysExport(values.out, values['base-url']);
      process.stderr.write(`wrote ${written.length} files under ${values.out}/genesys/ for ${values['base-url']}\n`);
    } else if (values.check) {
      const stale = await staleGeneratedFiles();
      if (stale.length > 0) throw new UsageError(`stale generated files (run npm run generate): ${stale.join(', ')}`);
      process.stderr.write('generated files are up to date\n');
    } else {
      const written = await writeGeneratedFiles();
      process.stderr.write(`wrote ${written.length} files under openapi/ (openapi.json, postman_collection.json, genesys/)\n`);
    }
    return;
  }

  const config = loadConfig();
  if (command === 'migrate') {
    const opened = await openDatabase(config);
    try {
      const { applied } = await migrateToLatest(opened.url);
      print(json, { applied }, applied.length > 0 ? `applied: ${applied.join(', ')}` : 'database is up to date');
    } finally {
      await opened.embedded?.stop();
    }
    return;
  }

  if (command === 'clients') {
    await withDatabase(config, async ({ db }) => {
      switch (sub) {
        case 'create': {
          if (!values.name) throw new UsageError('--name is required');
          const queues = list(values.queues);
          const roles = parseRoles(values.roles);
          await checkQueues(db, queues);
          const { client, clientSecret } = await createClient(cliContext(db), { name: values.name, roles, queues: queues.length > 0 ? queues : null });
          print(json, { clientId: client.clientId, clientSecret, name: client.name, roles: client.roles, queues: client.queues },
            `created client "${client.name}"\n  client_id:     ${client.clientId}\n  client_secret: ${clientSecret}\n(the secret is shown only now)`);
          return;
        }
        case 'list': {
          const clients = await listClients(cliContext(db));
          print(json, clients, clients.map((c) => `${c.clientId}  ${c.active ? 'active  ' : 'inactive'}  ${c.name}  [${c.roles.join(',')}]`).join('\n') || '(no clients)');
          return;
        }
        case 'rotate-secret': {
          const { client, clientSecret } = await rotateSecret(cliContext(db), parseClientId(values.id));
          print(json, { clientId: client.clientId, clientSecret }, `new secret for "${client.name}": ${clientSecret}`);
          return;
        }
        case 'deactivate': {
          const client = await updateClient(cliContext(db), parseClientId(values.id), { active: false });
          print(json, client, `deactivated "${client.name}"`);
          return;
        }
        default:
          throw new UsageError(`unknown clients command: ${sub ?? '(none)'}`);
      }
    });
    return;
  }
  if (command === 'users') {
    // Read before the database opens: a piped password is the whole of stdin, trailing newline dropped.
    const password = values['password-stdin'] ? await readPassword() : undefined;
    await withDatabase(config, async ({ db }) => {
      const ctx = cliContext(db);
      const named = async () => {
        if (!values.username) throw new UsageError('--username is required');
        const row = await findUserByUsername(db, values.username);
        if (!row) throw new UsageError(`no user named "${values.username}"`);
        return row;
      };
      switch (sub) {
        case 'create': {
          if (!values.username) throw new UsageError('--username is required');
          const queues = list(values.queues);
          const roles = parseRoles(values.roles);
          await checkQueues(db, queues);
          const { user, password: generated } = await createUser(ctx, {
            username: values.username,
            displayName: values['display-name'],
            roles,
            queues: queues.length > 0 ? queues : null,
            password,
          });
          print(json, { id: user.id, username: user.username, ...(generated !== undefined && { password: generated }), roles: user.roles, queues: user.queues },
            `created user "${user.username}"${generated !== undefined ? `\n  password: ${generated}\n(the password is shown only now)` : ''}`);
          return;
        }
        case 'list': {
          const users = await listUsers(ctx);
          print(json, users, users.map((u) => `${u.id}  ${u.disabled ? 'disabled' : 'enabled '}  ${u.username}  [${u.roles.join(',')}]${u.queues ? `  queues: ${u.queues.join(',')}` : ''}`).join('\n') || '(no users)');
          return;
        }
        case 'set-password': {
          const { user, password: generated } = await setPassword(ctx, (await named()).id, password);
          print(json, { id: user.id, username: user.username, ...(generated !== undefined && { password: generated }) }, generated !== undefined ? `new password for "${user.username}": ${generated}` : `password set for "${user.username}"`);
          return;
        }
        case 'disable':
        case 'enable': {
          const user = await updateUser(ctx, (await named()).id, { disabled: sub === 'disable' });
          print(json, user, `${sub}d "${user.username}"`);
          return;
        }
        case 'delete': {
          const row = await named();
          await deleteUser(ctx, row.id);
          print(json, { id: row.id, username: row.username, deleted: true }, `deleted "${row.username}"`);
          return;
        }
        default:
          throw new UsageError(`unknown users command: ${sub ?? '(none)'}`);
      }
    });
    return;
  }
  throw new UsageError(`unknown command: ${command}`);
}

async function readPassword(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (text === '') throw new UsageError('--password-stdin: nothing was read from stdin');
  return text;
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError) process.stderr.write(`error: ${err.message}\n\n${USAGE}`);
  else if (err instanceof ConfigError) process.stderr.write(`Invalid configuration: ${err.message}\n`);
  else if (err instanceof AppError) process.stderr.write(`error: ${err.message}\n`);
  else process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
