import type { TestApp } from './app.js';

/** Publishable keys through the admin API, and a listening app to call across origins with real sockets. */

export interface TestKey {
  clientId: string;
  key: string;
  name: string;
}

export async function makeKey(t: TestApp, admin: Record<string, string>, body: Record<string, unknown>): Promise<TestKey> {
  const name = `web-${Math.random().toString(36).slice(2)}`;
  const res = await t.app.inject({ method: 'POST', url: '/admin/v1/clients', headers: admin, payload: { name, kind: 'publishable', ...body } });
  if (res.statusCode !== 201) throw new Error(`key creation failed: ${res.statusCode} ${res.body}`);
  const created = res.json() as { client: { clientId: string }; publishableKey: string };
  return { clientId: created.client.clientId, key: created.publishableKey, name };
}

/** Starts the app on a real port (127.0.0.1) and answers its base URL. */
export async function listen(t: TestApp): Promise<string> {
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return `http://127.0.0.1:${address.port}`;
}

/** Every Access-Control-* header of a response. */
export function corsHeaders(res: Response): Record<string, string> {
  return Object.fromEntries([...res.headers].filter(([name]) => name.toLowerCase().startsWith('access-control-')));
}
