import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv, DEFAULT_LIMITS, envNameOf, firstTeamName, resolveConfig } from './config.ts';

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
    });
    expect(config).toMatchObject({ host: '0.0.0.0', port: 9000, dataDir: '/tmp/pizhu-x', sqliteSynchronous: 'FULL' });
    expect(config.allowedOrigins).toEqual(['chrome-extension://abc', 'http://intranet.example']);
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
      [{ PIZHU_MAX_ROOM_BYTES: 'lots' }, /PIZHU_MAX_ROOM_BYTES must be a number/],
      [{ PIZHU_MESSAGES_PER_SECOND: '-1' }, /"messagesPerSecond" must be a positive number/],
      [{ PIZHU_SQLITE_SYNCHRONOUS: 'OFF' }, /NORMAL or FULL/],
      [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
      [{ PIZHU_LOCALE: 'fr' }, /PIZHU_LOCALE must be zh-CN or en/],
    ] as const) {
      expect(() => configFromEnv(env as NodeJS.ProcessEnv)).toThrow(ConfigError);
      expect(() => configFromEnv(env as NodeJS.ProcessEnv)).toThrow(message);
    }
    expect(() => resolveConfig({ port: 1.5 })).toThrow(ConfigError);
  });

  it('names the first team in the server locale (PIZHU_LOCALE, Chinese by default) unless it is given a name', () => {
    expect(firstTeamName(configFromEnv({}))).toBe('我的团队');
    expect(firstTeamName(configFromEnv({ PIZHU_LOCALE: 'en' }))).toBe('My team');
    expect(firstTeamName(configFromEnv({ PIZHU_LOCALE: 'en', PIZHU_FIRST_TEAM_NAME: ' 政策研究组 ' }))).toBe(
      '政策研究组',
    );
  });
});
