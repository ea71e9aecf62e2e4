import { Type, type Static } from 'typebox';
import { IsoTime, Nullable } from '../http/schemas.js';
import { DEVICE_PLATFORMS } from '../vocabulary.js';

/** `/admin/v1/settings/push`: the Firebase service account push notifications are sent with. */
export const PushSettingsBody = Type.Object(
  {
    projectId: Type.String({ minLength: 1, maxLength: 100, description: 'The Firebase project id (project_id of the service account key file)' }),
    clientEmail: Type.String({ minLength: 1, maxLength: 320, description: 'The service account (client_email of the key file)' }),
    privateKey: Type.String({
      minLength: 1,
      maxLength: 10_000,
      description: 'The service account’s PEM PKCS#8 private key (private_key of the key file; "\\n" escapes are taken as line breaks). Stored encrypted, never shown again',
    }),
  },
  {
    additionalProperties: false,
    examples: [{ projectId: 'my-firebase-project', clientEmail: 'notifier@my-firebase-project.iam.gserviceaccount.com', privateKey: '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC...\n-----END PRIVATE KEY-----\n' }],
  },
);
export type PushSettingsBody = Static<typeof PushSettingsBody>;

export const PushSettings = Type.Object({
  configured: Type.Boolean({ description: 'Whether push notifications can be sent' }),
  projectId: Nullable(Type.String()),
  clientEmail: Nullable(Type.String()),
  privateKey: Nullable(Type.String({ description: 'Never the key itself: "•••• (configured)"' })),
  keyFingerprint: Nullable(Type.String({ description: 'SHA-256 of the key’s public half (first 16 hex digits), to tell two keys apart' })),
  updatedAt: Nullable(IsoTime),
});
export type PushSettings = Static<typeof PushSettings>;

export const PushTestBody = Type.Object(
  {
    deviceToken: Type.String({ minLength: 1, maxLength: 4_096, description: 'An FCM registration token of a device to send a test notification to' }),
    devicePlatform: Type.Optional(Type.String({ enum: [...DEVICE_PLATFORMS] })),
  },
  { additionalProperties: false, examples: [{ deviceToken: 'fcm-registration-token-of-a-test-device' }] },
);
export type PushTestBody = Static<typeof PushTestBody>;

export const PUSH_TEST_OUTCOMES = ['SENT', 'TOKEN_DEAD', 'FAILED'] as const;
export const PushTestResult = Type.Object({
  ok: Type.Boolean(),
  outcome: Type.String({ enum: [...PUSH_TEST_OUTCOMES], description: 'SENT; TOKEN_DEAD: FCM says the token will never work again; FAILED: see message' }),
  message: Type.String({ description: 'FCM’s message id when sent, else what went wrong' }),
  statusCode: Nullable(Type.Integer({ description: 'FCM’s HTTP status, when it answered' })),
  retryable: Type.Boolean({ description: 'Whether a notification failing so would be tried again later' }),
});
