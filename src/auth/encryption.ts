import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Secrets the service must read back (a publishable key's CAPTCHA secret, sent to the provider on
 * every check) are stored encrypted with AES-256-GCM: `v1.<iv>.<tag>.<ciphertext>` (base64url). The
 * 256-bit key is derived with HKDF-SHA256 from SECRETS_ENCRYPTION_KEY, or, when that is unset, from
 * the token signing secret (JWT_SECRET, or the one generated under DATA_DIR on the embedded default).
 * The authentication tag makes a changed ciphertext, or a different key, fail to decrypt rather than
 * yield garbage.
 */
export interface SecretBox {
  encrypt(plain: string): string;
  /** Throws SecretBoxError when the value was not made with this key (or was changed). */
  decrypt(sealed: string): string;
}

export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

const VERSION = 'v1';
const INFO = 'callback-engine stored secrets v1';

export function createSecretBox(material: string): SecretBox {
  if (material.length < 32) throw new Error('the secrets encryption key material must be at least 32 characters');
  const key = Buffer.from(hkdfSync('sha256', Buffer.from(material, 'utf8'), Buffer.alloc(0), INFO, 32));
  return {
    encrypt(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
    },
    decrypt(sealed) {
      const [version, iv, tag, ciphertext] = sealed.split('.');
      if (version !== VERSION || !iv || !tag || ciphertext === undefined) throw new SecretBoxError('not a sealed secret');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretBoxError('the secret cannot be decrypted with the configured key (SECRETS_ENCRYPTION_KEY changed?)');
      }
    },
  };
}
