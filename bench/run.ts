/**
 * `npm run bench -- <scenario> [--rate N] [--seconds S] [--warmup S] [--connections C] [--pacing spread|burst]`
 *
 * Without a scenario: lists them. Every run also measures the bare Fastify reference at the same
 * rate, in the same process, and prints target / reference ratios.
 */
import { parseArgs } from 'node:util';
import * as harness from './harness.js';
import type { BenchOptions, Comparison, Pacing, Row, Scenario, ScenarioContext } from './harness.js';
import { auth } from './scenarios/auth.js';
import { availability, availability10, availability100 } from './scenarios/availability.js';
import { numbersCheck } from './scenarios/numbers-check.js';
import { callbacksCreate, callbacksLookup } from './scenarios/callbacks.js';
import { events, eventsAcdStart, eventsUserEnd } from './scenarios/events.js';
import { aging } from './scenarios/aging.js';

const scenarios = new Map<string, Scenario>(
  [auth, availability, availability10, availability100, numbersCheck, callbacksCreate, callbacksLookup, events, eventsAcdStart, eventsUserEnd, aging].map((s) => [s.name, s]),
);

const BARE_ROW = 'bare POST /bare';

function usage(): string {
  const width = Math.max(...[...scenarios.keys()].map((n) => n.length));
  return [
    'usage: npm run bench -- <scenario> [--rate N] [--seconds S] [--warmup S] [--connections C] [--pacing spread|burst]',
    '',
    'scenarios:',
    ...[...scenarios.values()].map((s) => `  ${s.name.padEnd(width)}  ${s.description} (default ${s.defaultRate} req/s)`),
    '',
    `--seconds defaults to BENCH_SECONDS or ${harness.DEFAULT_SECONDS}; --warmup to ${harness.DEFAULT_WARMUP_SECONDS}; --connections to ${harness.DEFAULT_CONNECTIONS}; --pacing to spread.`,
    'BENCH_DATABASE_URL: use an existing PostgreSQL server (a throwaway database is created and dropped).',
  ].join('\n');
}

class UsageError extends Error {}

function numberOption(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`--${name} must be a non-negative number, got "${raw}"`);
  return n;
}

function pacingOption(raw: string | undefined): Pacing {
  if (raw === undefined || raw === 'spread' || raw === 'burst') return raw ?? 'spread';
  throw new UsageError(`--pacing must be spread or burst, got "${raw}"`);
}

/** Cleanups run once, last registered first, whatever happens. */
class Cleanups {
  private readonly stack: { label: string; fn: () => Promise<unknown> | unknown }[] = [];
  private running: Promise<void> | undefined;

  add(label: string, fn: () => Promise<unknown> | unknown): void {
    this.stack.push({ label, fn });
  }

  run(): Promise<void> {
    return (this.running ??= (async () => {
      while (this.stack.length > 0) {
        const { label, fn } = this.stack.pop()!;
        try {
          await fn();
        } catch (err) {
          console.error(`cleanup "${label}" failed:`, err instanceof Error ? err.message : err);
        }
      }
    })());
  }
}

async function runScenario(scenario: Scenario, options: BenchOptions, cleanups: Cleanups): Promise<void> {
  const log = (message: string) => console.error(`[bench] ${message}`);
  let bareRow: Row | undefined;
  let bareServer: harness.BareServer | undefined;

  const measure: ScenarioContext['measure'] = (opts) => {
    const full = { ...options, ...opts };
    log(`measuring "${full.name}": ${full.rate} req/s for ${full.seconds} s after ${full.warmupSeconds} s warm-up, ${full.connections} connections, ${full.pacing} pacing`);
    return harness.measure(full);
  };
  const bare = async (): Promise<Row> => {
    if (!bareServer) {
      bareServer = await harness.startBareFastify();
      cleanups.add('bare Fastify', bareServer.close);
    }
    const url = `${bareServer.baseUrl}/bare`;
    await harness.probe(url, { method: 'POST', body: harness.BARE_BODY });
    bareRow = await measure({ name: BARE_ROW, url, method: 'POST', body: harness.BARE_BODY });
    return bareRow;
  };
  let deferred = 0;
  const ctx: ScenarioContext = {
    harness,
    options,
    defer: (fn) => cleanups.add(`${scenario.name} #${++deferred}`, fn),
    measure,
    bare,
    log,
  };

  const started = Date.now();
  const rows = (await scenario.run(ctx)).filter((r) => r !== bareRow);
  const reference = bareRow ?? (await bare());
  const ratios: Comparison[] = rows.map((row) => harness.compare(row.name, row, reference, scenario.goals?.[row.name]));
  await harness.printReport([reference, ...rows], ratios, {
    scenario: scenario.name,
    description: scenario.description,
    options,
    wallSeconds: Math.round((Date.now() - started) / 100) / 10,
  });
}

async function main(): Promise<number> {
  try {
    return await cli();
  } catch (err) {
    if (err instanceof UsageError || String((err as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS')) {
      console.error(`${(err as Error).message}\n\n${usage()}`);
      return 2;
    }
    console.error(`[bench] ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

async function cli(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      rate: { type: 'string' },
      seconds: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      pacing: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const name = positionals[0];
  if (values.help || name === undefined) {
    console.log(usage());
    return 0;
  }
  const scenario = scenarios.get(name);
  if (!scenario || positionals.length > 1) {
    console.error(scenario ? `unexpected arguments: ${positionals.slice(1).join(' ')}` : `unknown scenario "${name}"`);
    console.error(usage());
    return 2;
  }
  const options: BenchOptions = {
    rate: numberOption('rate', values.rate, scenario.defaultRate),
    seconds: numberOption('seconds', values.seconds, harness.defaultSeconds()),
    warmupSeconds: numberOption('warmup', values.warmup, harness.DEFAULT_WARMUP_SECONDS),
    connections: numberOption('connections', values.connections, harness.DEFAULT_CONNECTIONS),
    pacing: pacingOption(values.pacing),
  };

  const cleanups = new Cleanups();
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    // A terminal's Ctrl-C reaches tsx too, which forwards it: clean up once, ignore the repeats.
    if (interrupted) return;
    interrupted = true;
    console.error(`\n[bench] ${signal}: cleaning up`);
    void cleanups.run().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await runScenario(scenario, options, cleanups);
    return 0;
  } catch (err) {
    console.error(`[bench] ${scenario.name} failed:`, err instanceof Error ? (err.stack ?? err.message) : err);
    return 1;
  } finally {
    await cleanups.run();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

process.exitCode = await main();
