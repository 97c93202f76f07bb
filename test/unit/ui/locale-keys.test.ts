/** Chrome refuses to load an extension whose catalogue has a key outside [A-Za-z0-9_] (the whole extension fails). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');

describe('locale catalogues load in Chrome', () => {
  for (const locale of ['zh_CN', 'en']) {
    it(`${locale}: every key and placeholder name is [A-Za-z0-9_], every $NAME$ is declared`, () => {
      const catalogue = JSON.parse(
        readFileSync(join(ROOT, `extension/public/_locales/${locale}/messages.json`), 'utf8'),
      ) as Record<string, { message: string; placeholders?: Record<string, { content: string }> }>;
      const badKeys = Object.keys(catalogue).filter((key) => !/^[A-Za-z0-9_]+$/.test(key));
      expect(badKeys).toEqual([]);
      for (const [key, entry] of Object.entries(catalogue)) {
        for (const name of Object.keys(entry.placeholders ?? {})) expect(name, key).toMatch(/^[A-Za-z0-9_]+$/);
        for (const [, name] of entry.message.matchAll(/\$([A-Za-z0-9_]+)\$/g)) {
          expect(
            Object.keys(entry.placeholders ?? {}).map((n) => n.toLowerCase()),
            `${key} uses $${name}$`,
          ).toContain(name!.toLowerCase());
        }
      }
    });
  }
});
