import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';

/**
 * A CAPTCHA provider's siteverify endpoint on 127.0.0.1, at each real provider's path (reCAPTCHA,
 * hCaptcha, Turnstile): form fields `secret`, `response`, `remoteip`; a JSON verdict the test sets per
 * token. Unknown tokens are refused as providers do. It does not enforce single use itself, so a test
 * shows the service refuses a replay even when the provider would not.
 */
export interface Verdict {
  success: boolean;
  hostname?: string;
  score?: number;
  action?: string;
  'error-codes'?: string[];
}

export interface FakeCaptcha {
  baseUrl: string;
  /** Every verify request received: its path and form fields. */
  requests: { path: string; fields: Record<string, string> }[];
  verdict(token: string, verdict: Verdict): void;
  /** down: answer 503; hang: answer after `ms`; up: normal. */
  mode(mode: 'up' | 'down' | 'hang', ms?: number): void;
  close(): Promise<void>;
}

export const VERIFY_PATHS = ['/recaptcha/api/siteverify', '/siteverify', '/turnstile/v0/siteverify'];

export async function startFakeCaptcha(): Promise<FakeCaptcha> {
  const app: FastifyInstance = Fastify();
  await app.register(formbody);
  const verdicts = new Map<string, Verdict>();
  const requests: FakeCaptcha['requests'] = [];
  let current: { mode: 'up' | 'down' | 'hang'; ms: number } = { mode: 'up', ms: 0 };
  for (const path of VERIFY_PATHS) {
    app.post(path, async (request, reply) => {
      const fields = request.body as Record<string, string>;
      requests.push({ path, fields });
      if (current.mode === 'down') return reply.code(503).send({ error: 'unavailable' });
      if (current.mode === 'hang') await new Promise((r) => setTimeout(r, current.ms));
      if (!fields.secret) return { success: false, 'error-codes': ['missing-input-secret'] };
      if (!fields.response) return { success: false, 'error-codes': ['missing-input-response'] };
      return verdicts.get(fields.response) ?? { success: false, 'error-codes': ['invalid-input-response'] };
    });
  }
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    baseUrl: `http://127.0.0.1:${address.port}`,
    requests,
    verdict: (token, verdict) => verdicts.set(token, verdict),
    mode: (mode, ms = 0) => {
      current = { mode, ms };
    },
    close: () => app.close(),
  };
}
