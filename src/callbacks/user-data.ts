import { errors } from '../errors.js';
import { textProblem } from '../http/input-guard.js';

const KEY = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
export const MAX_USER_DATA_KEYS = 50;
export const MAX_USER_DATA_VALUE = 1_024;
/** Added by us to the Genesys participant data; a caller may not set it. */
export const RESERVED_KEYS = new Set(['callbackEngineId']);

/**
 * `userData` arrives as JSON text (data-action inputs are flat): a flat map of identifier keys to
 * strings, ≤ 50 keys, values ≤ 1,024 characters. Anything else is a 400 naming userData.
 */
export function parseUserData(text: string | undefined): Record<string, string> {
  if (text === undefined || text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw errors.validation('userData', 'userData must be JSON text of an object, e.g. {"accountId":"42"}');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw errors.validation('userData', 'userData must be a JSON object');
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_USER_DATA_KEYS) throw errors.validation('userData', `userData may hold at most ${MAX_USER_DATA_KEYS} keys`);
  for (const [key, v] of entries) {
    if (!KEY.test(key) || RESERVED_KEYS.has(key)) throw errors.validation('userData', `userData key "${key.slice(0, 64)}" must be an identifier (letters, digits, _) and not reserved`);
    if (typeof v !== 'string') throw errors.validation('userData', `userData.${key} must be a string`);
    const problem = textProblem(v);
    if (problem) throw errors.validation('userData', `userData.${key} ${problem}`);
    if (v.length > MAX_USER_DATA_VALUE) throw errors.validation('userData', `userData.${key} is longer than ${MAX_USER_DATA_VALUE} characters`);
  }
  return value as Record<string, string>;
}
