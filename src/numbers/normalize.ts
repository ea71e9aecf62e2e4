import { isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { CountryCode } from 'libphonenumber-js/max';

/**
 * libphonenumber's number types, plus UNKNOWN for a valid number whose type it cannot tell.
 * The "max" metadata is required: with the default ("min") metadata every type would be unknown.
 */
export const NUMBER_TYPES = [
  'FIXED_LINE',
  'MOBILE',
  'FIXED_LINE_OR_MOBILE',
  'TOLL_FREE',
  'PREMIUM_RATE',
  'SHARED_COST',
  'VOIP',
  'PERSONAL_NUMBER',
  'PAGER',
  'UAN',
  'VOICEMAIL',
  'UNKNOWN',
] as const;
export type NumberTypeName = (typeof NUMBER_TYPES)[number];

/**
 * Region of a valid number that belongs to no country (+800 freephone, +882 networks, ...).
 * Same code Google's libphonenumber uses; it is never a permitted country, so only a null rule
 * lets such numbers through.
 */
export const NON_GEOGRAPHIC_REGION = '001';

/** Longest raw input looked at; the longest E.164 number is 16 characters, so 64 leaves room for formatting. */
export const MAX_INPUT_LENGTH = 64;

export interface NormalizedNumber {
  e164: string;
  country: string;
  numberType: string;
}

export type NormalizeResult = { ok: true; number: NormalizedNumber } | { ok: false; message: string };

const TEL_PREFIX = /^tel:/i;
// Formatting people and systems put around digits; anything else (letters, '#', '*', emoji) is refused
// because libphonenumber would otherwise silently drop it and accept e.g. "+12024561111abc".
const ALLOWED_CHARS = /^[0-9+\s().\-[\]/]+$/;
const LETTER = /\p{L}/u;

/** Uppercased ISO-3166 alpha-2 code if libphonenumber knows the country, else undefined. */
export function supportedCountry(code: string | undefined): CountryCode | undefined {
  if (typeof code !== 'string') return undefined;
  const upper = code.trim().toUpperCase();
  return isSupportedCountry(upper) ? upper : undefined;
}

/**
 * Parses a number typed by a person or sent by Genesys (`tel:+15555551234`) into E.164, its country
 * and type. Never throws: every refusal is `{ ok: false, message }` with a message fit for an API caller.
 */
export function normalizeNumber(input: string, defaultCountry?: string): NormalizeResult {
  if (typeof input !== 'string') return fail('phone number must be a string');
  if (input.length > MAX_INPUT_LENGTH) return fail(`phone number is longer than ${MAX_INPUT_LENGTH} characters`);
  const candidate = extractNumberPart(input.trim());
  if (typeof candidate !== 'string') return candidate;

  const country = supportedCountry(defaultCountry);
  let parsed;
  try {
    parsed = parsePhoneNumberFromString(candidate, country);
  } catch {
    // libphonenumber documents no throws for this call; the catch keeps "never throws" unconditional.
    parsed = undefined;
  }
  if (!parsed) {
    return fail(
      candidate.startsWith('+') || country
        ? 'not a phone number'
        : 'not in international format (+country code) and no default country to read it as a national number',
    );
  }
  if (!parsed.isValid()) return fail(`${parsed.number} is not a valid phone number`);
  return {
    ok: true,
    number: {
      e164: parsed.number,
      country: parsed.country ?? NON_GEOGRAPHIC_REGION,
      numberType: parsed.getType() ?? 'UNKNOWN',
    },
  };
}

/**
 * Strips the `tel:` URI syntax (RFC 3966) and checks the characters, leaving what libphonenumber
 * should parse. A local tel URI with a numeric context (`tel:2024561111;phone-context=+1`) becomes
 * `+12024561111`; other parameters (`ext`, `isub`, domain contexts) are ignored.
 */
function extractNumberPart(trimmed: string): string | { ok: false; message: string } {
  let number = trimmed;
  let context = '';
  if (TEL_PREFIX.test(number)) {
    const [head = '', ...params] = number.slice(4).split(';');
    number = head;
    for (const param of params) {
      const [name = '', value = ''] = param.split('=');
      if (name.toLowerCase() === 'phone-context' && /^\+[0-9().\-]+$/.test(value)) context = value;
    }
  }
  if (number.trim() === '') return fail('phone number is empty');
  if (LETTER.test(number)) return fail('phone number contains letters');
  if (!ALLOWED_CHARS.test(number)) {
    return fail('phone number may contain only digits, spaces and + ( ) - . / [ ]');
  }
  const plus = number.indexOf('+');
  if (plus !== -1 && (plus !== number.lastIndexOf('+') || /[0-9]/.test(number.slice(0, plus)))) {
    return fail("'+' may appear only once, before the digits");
  }
  if (!/[0-9]/.test(number)) return fail('phone number contains no digits');
  return context && plus === -1 ? context + number : number;
}

/**
 * Digits of a number as it appears in events, for matching (not screening): `tel:+1 555-555-1234`
 * → `15555551234`. No validation, so fictional numbers such as +1555... still match. URI parameters
 * (`;ext=`) and a SIP host (`sip:+1555...@10.0.0.1`) are dropped so their digits do not leak in.
 */
export function digitsOf(input: string): string {
  if (typeof input !== 'string') return '';
  let s = input.trim().replace(/^(?:tel|sips?):/i, '');
  const cut = s.search(/[;@]/);
  if (cut !== -1) s = s.slice(0, cut);
  return s.replace(/[^0-9]/g, '');
}

function fail(message: string): { ok: false; message: string } {
  return { ok: false, message };
}
