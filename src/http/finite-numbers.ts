import { refuseInputs } from './input-guard.js';

/**
 * preHandler hook, so it sees the inputs as validation coerced them. Query coercion turns "1e309" or
 * "Infinity" into Infinity, and ajv's integer, minimum and maximum checks all pass it (JSON.parse
 * makes Infinity of 1e309 too, in free-form fields). No input of ours means infinity; it would reach
 * PostgreSQL as "Infinity" or a loop as its bound.
 */
export const refuseNonFinite = refuseInputs((v) => (typeof v === 'number' && !Number.isFinite(v) ? 'must be a finite number' : null));
