/**
 * A fake Genesys Cloud login for "Sign in with Genesys Cloud": the authorize page (it signs in
 * whoever the test says is at the keyboard and redirects back with a code), the token endpoint's
 * authorization_code grant with PKCE (S256 checked, codes single-use and bound to their redirect
 * URI and client), and GET /api/v2/users/me with its `expand` of groups and authorization, as the
 * SDK calls them. Every request is logged.
 */
import { createHash, randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import formbody from '@fastify/formbody';

export interface FakeGenesysUser {
  id: string;
  name: string;
  username: string;
  email?: string;
  state?: 'active' | 'inactive' | 'deleted';
  groups: { id: string; name: string }[];
  roles: { id: string; name: string }[];
}

export interface FakeLoginRequest {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  body: Record<string, string> | undefined;
}

export interface FakeGenesysLogin {
  baseUrl: string;
  clientId: string;
  /** Who signs in at the authorize page next. */
  signedIn: FakeGenesysUser | null;
  requests: FakeLoginRequest[];
  close(): Promise<void>;
}

const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

export async function startFakeGenesysLogin(opts: { clientId?: string; redirectUris: string[] }): Promise<FakeGenesysLogin> {
  const clientId = opts.clientId ?? 'console-pkce-client';
  const codes = new Map<string, { user: FakeGenesysUser; challenge: string; redirectUri: string; clientId: string; used: boolean }>();
  const tokens = new Map<string, FakeGenesysUser>();
  const app = Fastify({ logger: false });
  await app.register(formbody);
  const fake: FakeGenesysLogin = {
    baseUrl: '',
    clientId,
    signedIn: null,
    requests: [],
    close: () => app.close(),
  };
  app.addHook('onRequest', async (req) => {
    fake.requests.push({ method: req.method, path: req.url.split('?')[0]!, query: req.query as Record<string, string>, body: undefined });
  });
  app.addHook('preHandler', async (req) => {
    fake.requests.at(-1)!.body = req.body as Record<string, string> | undefined;
  });

  app.get('/oauth/authorize', async (req, reply) => {
    const q = req.query as Record<string, string>;
    if (q.client_id !== clientId) return reply.code(400).send('unknown client_id');
    if (q.response_type !== 'code') return reply.code(400).send('response_type must be code');
    if (!q.redirect_uri || !opts.redirectUris.includes(q.redirect_uri)) return reply.code(400).send('redirect_uri is not registered for this client');
    if (q.code_challenge_method !== 'S256' || !q.code_challenge) return reply.code(400).send('PKCE: code_challenge with code_challenge_method S256 is required');
    if (!fake.signedIn) return reply.code(401).send('nobody signed in');
    const code = randomBytes(16).toString('hex');
    codes.set(code, { user: fake.signedIn, challenge: q.code_challenge, redirectUri: q.redirect_uri, clientId, used: false });
    const back = new URL(q.redirect_uri);
    back.searchParams.set('code', code);
    if (q.state !== undefined) back.searchParams.set('state', q.state);
    return reply.redirect(back.toString(), 302);
  });

  app.post('/oauth/token', async (req, reply) => {
    const b = (req.body ?? {}) as Record<string, string>;
    const invalid = (description: string) => reply.code(400).send({ error: 'invalid_grant', description });
    if (b.grant_type !== 'authorization_code') return reply.code(400).send({ error: 'unsupported_grant_type' });
    if (b.client_id !== clientId) return reply.code(401).send({ error: 'invalid_client' });
    const grant = b.code === undefined ? undefined : codes.get(b.code);
    if (!grant || grant.used) return invalid('unknown or used code');
    grant.used = true;
    if (grant.redirectUri !== b.redirect_uri) return invalid('redirect_uri differs from the authorize request');
    if (!b.code_verifier || s256(b.code_verifier) !== grant.challenge) return invalid('PKCE verification failed');
    const token = randomBytes(24).toString('base64url');
    tokens.set(token, grant.user);
    return { access_token: token, token_type: 'bearer', expires_in: 86_400 };
  });

  app.get('/api/v2/users/me', async (req, reply) => {
    const auth = req.headers.authorization ?? '';
    const user = tokens.get(auth.replace(/^Bearer\s+/i, ''));
    if (!user) return reply.code(401).send({ message: 'Invalid login credentials.', code: 'bad.credentials', status: 401 });
    const raw = (req.query as Record<string, string | string[]>).expand;
    const expand = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).flatMap((e) => e.split(','));
    return {
      id: user.id,
      name: user.name,
      username: user.username,
      email: user.email ?? user.username,
      state: user.state ?? 'active',
      ...(expand.includes('groups') && { groups: user.groups.map((g) => ({ ...g, state: 'active' })) }),
      ...(expand.includes('authorization') && { authorization: { roles: user.roles, unusedRoles: [], permissions: [] } }),
      selfUri: `/api/v2/users/${user.id}`,
    };
  });

  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  fake.baseUrl = address;
  return fake;
}
