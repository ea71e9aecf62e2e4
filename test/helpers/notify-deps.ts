import { createSecretBox } from '../../src/auth/encryption.js';
import { createCodeHasher } from '../../src/callin/codes.js';
import type { NotificationDeps } from '../../src/notifications/channels.js';
import { FcmSender } from '../../src/notifications/fcm.js';
import { createLinkSigner } from '../../src/selfservice/link.js';
import type { TestApp } from './app.js';

/** What the notify job needs, keyed from the test app's secrets (as the worker's are from its config), with short retries. */
export function notifyDepsFor(t: TestApp, o: Partial<NotificationDeps> = {}): NotificationDeps {
  const material = t.config.secretsEncryptionKey ?? t.config.jwtSecret!;
  return {
    secrets: createSecretBox(material),
    codes: createCodeHasher(material),
    links: createLinkSigner(material),
    publicBaseUrl: 'https://callbacks.example.com',
    fcm: new FcmSender(),
    backoffMs: [100],
    giveUpAfterMs: 60_000,
    ...o,
  };
}
