import closeWithGrace from 'close-with-grace';
import type { Logger } from 'pino';
import { isDatabaseUnavailable } from './db/errors.js';

/**
 * Under npm, a terminal's Ctrl-C reaches the process twice: from the terminal and forwarded by npm.
 * So the first SIGINT/SIGTERM starts the shutdown and later ones are ignored (`delay` bounds it); a
 * signal that arrives before `onStop` is set up stops the process as soon as it is.
 */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
let stopSignal: NodeJS.Signals | undefined;
let stop: (() => void) | undefined;
for (const signal of STOP_SIGNALS) {
  process.on(signal, () => {
    if (stopSignal) return;
    stopSignal = signal;
    stop?.();
  });
}

/**
 * graphile-worker 0.16 leaves a rejection unhandled when its cron or worker pool stops on a database
 * error (a promise chained with `finally`); the job runner already restarts them once the database
 * answers, so such a rejection is logged, not a reason to stop serving. Any other one still ends the
 * process, through the graceful close.
 */
function toleratedRejection(logger: Logger, reason: unknown): boolean {
  if (!isDatabaseUnavailable(reason)) return false;
  logger.warn({ err: (reason as Error)?.message }, 'a background database call failed while the database was unavailable');
  return true;
}

/**
 * Runs `close` once, on the first stop signal or an uncaught error, bounded by `delayMs`.
 * Returns true when a stop signal already came, so the caller skips the rest of its start-up.
 */
export function onStop(opts: { delayMs: number; logger: Logger; what: string }, close: () => Promise<void>): boolean {
  const closer = closeWithGrace({ delay: opts.delayMs, logger: opts.logger, skip: [...STOP_SIGNALS, 'unhandledRejection'] }, async ({ err }) => {
    if (err) opts.logger.error({ err }, `${opts.what} stopping after an error`);
    else opts.logger.info({ signal: stopSignal }, `${opts.what} stopping`);
    await close();
  });
  stop = () => void closer.close();
  process.on('unhandledRejection', (reason) => {
    if (toleratedRejection(opts.logger, reason)) return;
    // As an uncaught exception it takes close-with-grace's error path: a graceful close, exit code 1.
    setImmediate(() => {
      throw reason;
    });
  });
  if (!stopSignal) return false;
  stop();
  return true;
}
