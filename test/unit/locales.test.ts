/** Every UI string comes from the i18n catalogues: both languages have every key the code uses. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const catalogue = (locale: string) =>
  JSON.parse(readFileSync(join(ROOT, `extension/public/_locales/${locale}/messages.json`), 'utf8')) as Record<
    string,
    { message: string; placeholders?: Record<string, { content: string }> }
  >;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : /\.tsx?$/.test(name) ? [path] : [];
  });
}

describe('locales', () => {
  const zh = catalogue('zh_CN');
  const en = catalogue('en');

  it('Chinese and English have the same keys', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zh).sort());
  });

  it('every literal key passed to t() exists', () => {
    const used = new Set<string>();
    for (const file of files(join(ROOT, 'extension'))) {
      for (const match of readFileSync(file, 'utf8').matchAll(/\bt\(\s*'([A-Za-z0-9_-]+)'/g)) used.add(match[1]!);
    }
    expect(used.size).toBeGreaterThan(10);
    expect([...used].filter((key) => !(key in zh))).toEqual([]);
  });

  it('placeholders match between languages', () => {
    for (const [key, entry] of Object.entries(zh)) {
      expect(Object.keys(en[key]?.placeholders ?? {}).sort(), key).toEqual(
        Object.keys(entry.placeholders ?? {}).sort(),
      );
    }
  });

  it('keys use only the characters Chrome accepts (it refuses to load the extension otherwise)', () => {
    expect(Object.keys(zh).filter((key) => !/^[A-Za-z0-9_]+$/.test(key))).toEqual([]);
  });

  it('no message is empty', () => {
    for (const [key, entry] of [...Object.entries(zh), ...Object.entries(en)])
      expect(entry.message.trim(), key).not.toBe('');
  });
});
