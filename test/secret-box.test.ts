import { describe, expect, it } from 'vitest';
import { createSecretBox, SecretBoxError } from '../src/auth/encryption.js';
import { loadConfig } from '../src/config.js';

const KEY = 'k'.repeat(32);

describe('stored secrets: AES-256-GCM', () => {
  it('seals and opens, with a fresh IV each time', () => {
    const box = createSecretBox(KEY);
    const a = box.encrypt('captcha-secret');
    const b = box.encrypt('captcha-secret');
    expect(a).not.toBe(b);
    expect(a).not.toContain('captcha-secret');
    expect(box.decrypt(a)).toBe('captcha-secret');
    expect(box.decrypt(b)).toBe('captcha-secret');
  });

  it('refuses a changed ciphertext, another key, and what is not sealed', () => {
    const sealed = createSecretBox(KEY).encrypt('captcha-secret');
    const [v, iv, tag, ct] = sealed.split('.');
    const flipped = `${v}.${iv}.${tag}.${ct!.slice(0, -2)}${ct!.endsWith('A') ? 'B' : 'A'}${ct!.slice(-1)}`;
    expect(() => createSecretBox(KEY).decrypt(flipped)).toThrow(SecretBoxError);
    expect(() => createSecretBox('z'.repeat(32)).decrypt(sealed)).toThrow(SecretBoxError);
    expect(() => createSecretBox(KEY).decrypt('plain text')).toThrow(SecretBoxError);
  });

  it('SECRETS_ENCRYPTION_KEY is at least 32 characters', () => {
    expect(() => loadConfig({ SECRETS_ENCRYPTION_KEY: 'short' })).toThrow(/SECRETS_ENCRYPTION_KEY/);
    expect(loadConfig({ SECRETS_ENCRYPTION_KEY: KEY }).secretsEncryptionKey).toBe(KEY);
    expect(loadConfig({}).secretsEncryptionKey).toBeUndefined();
  });
});
