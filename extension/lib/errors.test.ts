/** Errors cross the extension's boundaries as codes and params, and every code has its words in both languages. */
import { describe, expect, it, vi } from 'vitest';
import enMessages from '../public/_locales/en/messages.json';
import zhMessages from '../public/_locales/zh_CN/messages.json';
import { API_ERRORS, closeCodeError } from '../../shared/protocol/errors.ts';
import { CLOSE_CODES } from '../../shared/protocol/api.ts';
import { CLIENT_ERRORS, errorInfo, errorParamNames, PizhuError } from './errors.ts';

vi.mock('wxt/browser', () => ({ browser: { i18n: { getUILanguage: () => 'zh-CN', getMessage: () => '' } } }));
const { errorText, setLanguage } = await import('./i18n.ts');

type Catalogue = Record<string, { message: string }>;
const catalogues: [string, Catalogue][] = [
  ['zh_CN', zhMessages],
  ['en', enMessages],
];

describe('error codes', () => {
  const codes = [...Object.keys(API_ERRORS), ...Object.keys(CLIENT_ERRORS)];

  it('are listed once, in the server’s list or the extension’s', () => {
    expect(Object.keys(CLIENT_ERRORS).filter((code) => code in API_ERRORS)).toEqual([]);
  });

  it('each has its words in Chinese and English, naming no more values than its params', () => {
    for (const [locale, catalogue] of catalogues) {
      for (const code of codes) {
        const entry = catalogue[`error_${code}`];
        expect(entry, `${locale} error_${code}`).toBeDefined();
        const used = [...entry!.message.matchAll(/\$P(\d)\$/g)].map((m) => Number(m[1]));
        expect(Math.max(0, ...used), `${locale} error_${code}`).toBeLessThanOrEqual(errorParamNames(code).length);
      }
    }
  });

  it('every close code the server sends has a code of its own', () => {
    for (const close of Object.values(CLOSE_CODES)) expect(closeCodeError(close), String(close)).not.toBeNull();
    expect(closeCodeError(1000)).toBeNull();
  });
});

describe('errorText', () => {
  it('words a code with its params in the chosen language', () => {
    const refused = new PizhuError('unreachable', { server: 'http://10.0.0.5:8787' });
    setLanguage('zh_CN');
    expect(errorText(refused)).toBe('无法连接服务器 http://10.0.0.5:8787，请确认服务器已启动、地址无误');
    expect(errorText({ code: 'invite_unknown', detail: 'This invite code is not valid' })).toBe(
      '邀请码无效，请核对后重试',
    );
    expect(errorText({ code: 'team_full', params: { max: 1000 } })).toBe('团队人数已达上限（1000 人）');
    setLanguage('en');
    expect(errorText(refused)).toBe(
      'Cannot reach the server at http://10.0.0.5:8787: is it running, and is the address right?',
    );
  });

  it('falls back to a generic line with the server’s own words for a code it does not know', () => {
    setLanguage('zh_CN');
    expect(errorText({ code: 'quota_of_tomorrow', detail: 'Tomorrow’s quota is used up' })).toBe(
      '出错了：Tomorrow’s quota is used up',
    );
    expect(errorText({ code: 'no such-code!' })).toBe('Pizhu 出错了，请重试');
    expect(errorText(new TypeError('x is undefined'))).toBe('出错了：x is undefined');
  });
});

describe('errorInfo', () => {
  it('keeps a thrown error’s code and params, and bounds what a server said', () => {
    expect(errorInfo(new PizhuError('leave_unsent', { pages: 2 }))).toEqual({
      code: 'leave_unsent',
      params: { pages: 2 },
    });
    // A server may send anything: the api client makes its answer a PizhuError, bounded on the way across.
    const long = errorInfo(new PizhuError('x'.repeat(100), { room: 'r'.repeat(900) }, 'd'.repeat(5_000)));
    expect(long.code).toHaveLength(64);
    expect(long.params?.room).toHaveLength(500);
    expect(long.detail).toHaveLength(2_000);
    expect(errorInfo(Object.assign(new Error('Invalid note'), { name: 'ValidationError' }))).toMatchObject({
      code: 'invalid_input',
      params: { detail: 'Invalid note' },
    });
    expect(errorInfo(Object.assign(new Error('nope'), { code: 'ENOENT' }))).toMatchObject({ code: 'internal' });
    expect(errorInfo('plain text')).toEqual({ code: 'internal', detail: 'plain text' });
  });
});
