import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('config', () => {
  it('has documented defaults on the embedded database', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 3000,
      database: { kind: 'embedded', port: 54329 },
      dataDir: '.data',
      logLevel: 'info',
      tokenTtlSeconds: 86_400,
      bodyLimitBytes: 65_536,
      demoSeed: true,
      jwtSecret: undefined,
      retentionDays: 14,
      reportRetentionDays: 400,
      notifyLeaseSeconds: 60,
    });
    expect(loadConfig({ REPORT_RETENTION_DAYS: '30' }).reportRetentionDays).toBe(30);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ DATABASE_URL: 'mysql://x/y', JWT_SECRET: 'x'.repeat(32) }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'postgres://u@h/db' }, 'JWT_SECRET'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET'],
    [{ TOKEN_TTL_SECONDS: '5' }, 'TOKEN_TTL_SECONDS'],
    [{ RATE_LIMIT_MAX: '0' }, 'RATE_LIMIT_MAX'],
    [{ TRUST_PROXY: 'maybe' }, 'TRUST_PROXY'],
    [{ GENESYS_CLIENT_ID: 'id' }, 'GENESYS_CLIENT_SECRET'],
    [{ GENESYS_CLIENT_ID: 'id', GENESYS_CLIENT_SECRET: 's' }, 'GENESYS_REGION'],
    [{ GENESYS_BASE_URL: 'not a url' }, 'GENESYS_BASE_URL'],
    [{ REPORT_RETENTION_DAYS: '0' }, 'REPORT_RETENTION_DAYS'],
    [{ REPORT_RETENTION_DAYS: 'a year' }, 'REPORT_RETENTION_DAYS'],
    // Shorter than a sender's timeout, a slow send could be taken and sent again by another job.
    [{ NOTIFY_LEASE_SECONDS: '5' }, 'NOTIFY_LEASE_SECONDS'],
  ])('fails fast naming the bad variable: %j', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    try {
      loadConfig(env);
    } catch (err) {
      expect((err as ConfigError).variable).toBe(variable);
      expect((err as ConfigError).message).toContain(variable);
    }
  });

  it('uses DATABASE_URL when set, with the demo seed off unless asked for', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/callbacks', JWT_SECRET: 'x'.repeat(32) });
    expect(c.database).toEqual({ kind: 'url', url: 'postgres://u:p@db:5432/callbacks' });
    expect(c.demoSeed).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h/db', JWT_SECRET: 'x'.repeat(32), DEMO_SEED: 'true' }).demoSeed).toBe(true);
  });
});
