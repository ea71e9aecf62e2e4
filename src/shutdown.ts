import closeWithGrace from 'close-with-grace';
import type { Logger } from 'pino';

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
 * Runs `close` once, on the first stop signal or an uncaught error, bounded by `delayMs`.
 * Returns true when a stop signal already came, so the caller skips the rest of its start-up.
 */
export function onStop(opts: { delayMs: number; logger: Logger; what: string }, close: () => Promise<void>): boolean {
  const closer = closeWithGrace({ delay: opts.delayMs, logger: opts.logger, skip: [...STOP_SIGNALS] }, async ({ err }) => {
    if (err) opts.logger.error({ err }, `${opts.what} stopping after an error`);
    else opts.logger.info({ signal: stopSignal }, `${opts.what} stopping`);
    await close();
  });
  stop = () => void closer.close();
  if (!stopSignal) return false;
  stop();
  return true;
}
