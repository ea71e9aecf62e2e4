import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * Framing: /console may be framed by its own origin and the given origins (the Genesys Cloud UI),
 * with Content-Security-Policy frame-ancestors; every other page keeps X-Frame-Options SAMEORIGIN
 * (helmet). The console's own CSP, if a route sets one, keeps its other directives.
 */
export interface FramingOptions {
  consoleAncestors: readonly string[];
}

export function isConsolePath(url: string): boolean {
  const path = url.split('?')[0]!;
  return path === '/console' || path.startsWith('/console/');
}

/** `policy` with its frame-ancestors directive replaced by (or extended with) `directive`. */
export function withFrameAncestors(policy: string | undefined, directive: string): string {
  const others = (policy ?? '')
    .split(';')
    .map((d) => d.trim())
    .filter((d) => d !== '' && !/^frame-ancestors(\s|$)/i.test(d));
  return [...others, directive].join('; ');
}

async function framing(app: FastifyInstance, opts: FramingOptions) {
  const directive = `frame-ancestors ${["'self'", ...opts.consoleAncestors].join(' ')}`;
  app.addHook('onSend', async (request, reply, payload) => {
    if (isConsolePath(request.url)) {
      reply.removeHeader('x-frame-options');
      const current = reply.getHeader('content-security-policy');
      reply.header('content-security-policy', withFrameAncestors(typeof current === 'string' ? current : undefined, directive));
    }
    return payload;
  });
}

export default fp(framing, { name: 'framing' });
