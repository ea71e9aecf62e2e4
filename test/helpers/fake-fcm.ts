import { createVerify, generateKeyPairSync, randomBytes } from 'node:crypto';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';

/**
 * Google's OAuth token endpoint and FCM's HTTP v1 send endpoint on 127.0.0.1, at their real paths.
 * `POST /token` takes the JWT-bearer grant and checks the assertion as Google does: RS256 with the
 * service account's public key, its issuer, audience, scope and lifetime. `POST
 * /v1/projects/{id}/messages:send` takes only a token it issued, and answers per registration token
 * as the test set it: sent, UNREGISTERED (404), INVALID_ARGUMENT (400) or UNAVAILABLE (503).
 */
export type DeviceBehaviour = 'ok' | 'unregistered' | 'invalid' | 'unavailable';

export interface FakeFcm {
  origin: string;
  /** A service account this server accepts: the private key is the client's, the public key the server's. */
  account: { projectId: string; clientEmail: string; privateKey: string };
  tokenExchanges: { iss: string; scope: string; aud: string }[];
  /** Every send that reached FCM with a valid access token. */
  sends: { projectId: string; message: { token: string; notification?: { title: string; body: string }; data?: Record<string, string> } }[];
  /** Refused sends: a missing or unknown access token. */
  refusedAuth: number;
  device(token: string, behaviour: DeviceBehaviour): void;
  close(): Promise<void>;
}

function verifyAssertion(assertion: string, publicKey: string): Record<string, unknown> | null {
  const [header, payload, signature] = assertion.split('.');
  if (!header || !payload || !signature) return null;
  if ((JSON.parse(Buffer.from(header, 'base64url').toString()) as { alg?: string }).alg !== 'RS256') return null;
  const ok = createVerify('RSA-SHA256').update(`${header}.${payload}`).verify(publicKey, Buffer.from(signature, 'base64url'));
  return ok ? (JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>) : null;
}

export async function startFakeFcm(projectId = 'callback-app'): Promise<FakeFcm> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const clientEmail = `notifier@${projectId}.iam.gserviceaccount.com`;
  const issued = new Set<string>();
  const behaviours = new Map<string, DeviceBehaviour>();
  const state: FakeFcm = {
    origin: '',
    account: { projectId, clientEmail, privateKey },
    tokenExchanges: [],
    sends: [],
    refusedAuth: 0,
    device: (token, behaviour) => behaviours.set(token, behaviour),
    close: () => app.close(),
  };
  const app: FastifyInstance = Fastify();
  await app.register(formbody);
  app.post('/token', async (request, reply) => {
    const form = request.body as Record<string, string>;
    if (form.grant_type !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return reply.code(400).send({ error: 'unsupported_grant_type' });
    const claims = verifyAssertion(form.assertion ?? '', publicKey);
    const now = Math.floor(Date.now() / 1000);
    if (!claims || claims.iss !== clientEmail || typeof claims.exp !== 'number' || claims.exp < now || (claims.exp as number) - (claims.iat as number) > 3600) {
      return reply.code(400).send({ error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
    }
    state.tokenExchanges.push({ iss: String(claims.iss), scope: String(claims.scope), aud: String(claims.aud) });
    const accessToken = `ya29.${randomBytes(16).toString('hex')}`;
    issued.add(accessToken);
    return { access_token: accessToken, expires_in: 3599, token_type: 'Bearer' };
  });
  app.post('/v1/projects/:project/messages::send', async (request, reply) => {
    const auth = request.headers.authorization ?? '';
    if (!auth.startsWith('Bearer ') || !issued.has(auth.slice(7))) {
      state.refusedAuth += 1;
      return reply.code(401).send({ error: { code: 401, status: 'UNAUTHENTICATED', message: 'Request had invalid authentication credentials.' } });
    }
    const { project } = request.params as { project: string };
    const { message } = request.body as FakeFcm['sends'][number];
    const fcmError = (code: number, status: string, errorCode: string, text: string) =>
      reply.code(code).send({ error: { code, status, message: text, details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode }] } });
    switch (behaviours.get(message.token) ?? 'ok') {
      case 'unregistered':
        return fcmError(404, 'NOT_FOUND', 'UNREGISTERED', 'Requested entity was not found.');
      case 'invalid':
        return fcmError(400, 'INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'The registration token is not a valid FCM registration token');
      case 'unavailable':
        return fcmError(503, 'UNAVAILABLE', 'UNAVAILABLE', 'The service is currently unavailable.');
      default:
        state.sends.push({ projectId: project, message });
        return { name: `projects/${project}/messages/${state.sends.length}` };
    }
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  state.origin = `http://127.0.0.1:${address.port}`;
  return state;
}
