import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  configFromEnv,
  DEFAULT_LIMITS,
  envNameOf,
  environmentVariables,
  firstTeamName,
  resolveConfig,
} from './config.ts';

describe('configuration', () => {
  it('has safe defaults: loopback, a bounded message size, extension origins', () => {
    const config = configFromEnv({});
    expect(config.host).toBe('127.0.0.1');
    expect(config.port).toBe(8787);
    expect(config.dataDir).toBe(path.resolve('data'));
    expect(config.limits.maxMessageBytes).toBeLessThan(100 * 1024 * 1024);
    expect(config.allowedOrigins).toEqual(['chrome-extension://*', 'moz-extension://*']);
    expect(config.sqliteSynchronous).toBe('NORMAL');
  });

  it('reads HOST, PORT, DATA_DIR, ALLOWED_ORIGINS and every limit from the environment', () => {
    const config = configFromEnv({
      HOST: '0.0.0.0',
      PORT: '9000',
      DATA_DIR: '/tmp/pizhu-x',
      ALLOWED_ORIGINS: 'chrome-extension://abc, http://intranet.example',
      PIZHU_MAX_MESSAGE_BYTES: '1024',
      PIZHU_TICKET_TTL_MS: '5000',
      PIZHU_SQLITE_SYNCHRONOUS: 'full',
      PIZHU_COMPACT_AFTER_UPDATES: '10',
      PIZHU_TRUSTED_PROXIES: '10.0.0.2, 10.0.1.0/24,',
    });
    expect(config).toMatchObject({ host: '0.0.0.0', port: 9000, dataDir: '/tmp/pizhu-x', sqliteSynchronous: 'FULL' });
    expect(config.allowedOrigins).toEqual(['chrome-extension://abc', 'http://intranet.example']);
    expect(config.trustedProxies).toEqual(['10.0.0.2', '10.0.1.0/24']);
    expect(config.limits.maxMessageBytes).toBe(1024);
    expect(config.timings.ticketTtlMs).toBe(5000);
    expect(config.compaction.afterUpdates).toBe(10);
    expect(envNameOf('maxRoomBytes')).toBe('PIZHU_MAX_ROOM_BYTES');
    expect(Object.keys(DEFAULT_LIMITS).length).toBeGreaterThan(10);
  });

  it('refuses bad values with one readable line', () => {
    for (const [env, message] of [
      [{ PORT: 'abc' }, /PORT must be a whole number/],
      [{ PORT: '70000' }, /PORT must be a whole number/],
      [{ PIZHU_MAX_ROOM_BYTES: 'lots' }, /PIZHU_MAX_ROOM_BYTES must be a positive number, got "lots"/],
      [{ PIZHU_MESSAGES_PER_SECOND: '-1' }, /PIZHU_MESSAGES_PER_SECOND must be a positive number, got "-1"/],
      [{ PIZHU_COMPACT_AFTER_BYTES: '0' }, /PIZHU_COMPACT_AFTER_BYTES must be a positive number/],
      [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL must be a postgres:\/\/ URL/],
      [{ REDIS_URL: 'localhost:6379' }, /REDIS_URL must be a redis:\/\/ URL/],
      [{ PIZHU_SQLITE_SYNCHRONOUS: 'OFF' }, /NORMAL or FULL/],
      [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
      [{ PIZHU_LOCALE: 'fr' }, /PIZHU_LOCALE must be zh-CN or en/],
      [
        { PIZHU_TRUSTED_PROXIES: '10.0.0.2,nginx' },
        /PIZHU_TRUSTED_PROXIES must be addresses or CIDR ranges.*got "10.0.0.2,nginx"/,
      ],
    ] as const) {
      expect(() => configFromEnv(env as NodeJS.ProcessEnv)).toThrow(ConfigError);
      expect(() => configFromEnv(env as NodeJS.ProcessEnv)).toThrow(message);
    }
    expect(() => resolveConfig({ port: 1.5 })).toThrow(ConfigError);
    expect(() => resolveConfig({ limits: { maxRoomBytes: 0 } })).toThrow(
      /The setting "limits.maxRoomBytes" must be a positive number, got "0"/,
    );
  });

  it('reads DATABASE_URL and REDIS_URL; neither set means the embedded SQLite', () => {
    const embedded = configFromEnv({});
    expect([embedded.databaseUrl, embedded.redisUrl]).toEqual([undefined, undefined]);
    expect(
      configFromEnv({ DATABASE_URL: 'postgres://u:p@db:5432/pizhu', REDIS_URL: 'redis://cache:6379' }),
    ).toMatchObject({ databaseUrl: 'postgres://u:p@db:5432/pizhu', redisUrl: 'redis://cache:6379' });
  });

  it('documents every environment variable in server/README.md, and the README names no other', () => {
    const readme = readFileSync(path.join(import.meta.dirname, 'README.md'), 'utf8');
    const variables = environmentVariables();
    expect(variables.every((v) => v.description.length > 0)).toBe(true);
    const missing = variables.filter((v) => !readme.includes(`\`${v.name}\``)).map((v) => v.name);
    expect(missing).toEqual([]);
    const known = new Set(variables.map((v) => v.name));
    const unknown = [...new Set(readme.match(/\bPIZHU_[A-Z_]+\b/g) ?? [])].filter((name) => !known.has(name));
    expect(unknown).toEqual([]);
  });

  it('names the first team in the server locale (PIZHU_LOCALE, Chinese by default) unless it is given a name', () => {
    expect(firstTeamName(configFromEnv({}))).toBe('我的团队');
    expect(firstTeamName(configFromEnv({ PIZHU_LOCALE: 'en' }))).toBe('My team');
    expect(firstTeamName(configFromEnv({ PIZHU_LOCALE: 'en', PIZHU_FIRST_TEAM_NAME: ' 政策研究组 ' }))).toBe(
      '政策研究组',
    );
  });
});
