import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';

/**
 * The operator console: the built single-page app under /console/, same origin as the API it calls.
 * Hashed assets are cached for a year; index.html never, so a new release is picked up on reload.
 * Client routes (/console/callbacks, ...) answer index.html.
 */

export const CONSOLE_PREFIX = '/console';

/**
 * Only our own files: no inline script or style element, no other host. Who may frame the console
 * (frame-ancestors) is the framing plugin's to add.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/** console/dist of the checkout, found from this file whether it runs from src/ or a build. */
export function consoleDistDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(path.join(dir, 'package.json'))) return path.join(dir, 'console', 'dist');
    dir = path.dirname(dir);
  }
  return path.resolve('console', 'dist');
}

const HASHED_ASSET = /\/assets\/[^/]+-[A-Za-z0-9_-]{8,}\.(js|css|svg|png|woff2?)$/;

export const consoleRoutes: FastifyPluginAsync<{ root?: string }> = async (app, opts) => {
  const root = opts.root ?? consoleDistDir();
  const built = existsSync(path.join(root, 'index.html'));
  const publicRoute = { config: { public: true, rateLimit: false }, schema: { hide: true } } as const;

  app.get(CONSOLE_PREFIX, publicRoute, async (request, reply) => {
    const query = request.url.slice(CONSOLE_PREFIX.length);
    return reply.redirect(`${CONSOLE_PREFIX}/${query.startsWith('?') ? query : ''}`, 301);
  });

  await app.register(async (scope) => {
    // Set before the answer is built, so the framing plugin's onSend extends it with frame-ancestors.
    scope.addHook('onRequest', async (_request, reply) => {
      reply.header('Content-Security-Policy', CONSOLE_CSP);
    });
    if (!built) {
      scope.get('/*', publicRoute, async (_request, reply) =>
        reply.code(503).header('cache-control', 'no-store').type('text/plain').send('The console is not built: run `npm run build` (npm start builds it).\n'),
      );
      return;
    }
    await scope.register(fastifyStatic, {
      root,
      prefix: '/',
      index: 'index.html',
      cacheControl: false,
      // Not served: the build's bookkeeping.
      allowedPath: (pathName) => !pathName.includes('/.'),
      setHeaders(res, filePath) {
        res.setHeader('Cache-Control', HASHED_ASSET.test(filePath.split(path.sep).join('/')) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
    // A client route: the app itself, which reads the path.
    scope.setNotFoundHandler(async (request, reply) => {
      reply.header('Content-Security-Policy', CONSOLE_CSP);
      if (request.method !== 'GET' && request.method !== 'HEAD') return reply.code(404).send({ code: 'NOT_FOUND', message: 'Not found' });
      if (/\.[a-z0-9]+$/i.test(request.url.split('?')[0] ?? '')) return reply.code(404).type('text/plain').send('Not found\n');
      return reply.header('Cache-Control', 'no-cache').sendFile('index.html');
    });
  }, { prefix: CONSOLE_PREFIX });
};
