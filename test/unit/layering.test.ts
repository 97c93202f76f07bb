/**
 * The architecture's rules, checked on the source: shared/ runs in browsers and in Node alike, so it imports
 * neither Node built-ins nor browser-extension APIs; the server never imports extension code and vice versa.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx)$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [
    ...text.matchAll(/(?:^|\s)(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm),
  ].map((m) => (m[1] ?? m[2])!);
}

function violations(dir: string, forbidden: (specifier: string) => boolean): string[] {
  return sourceFiles(join(ROOT, dir)).flatMap((file) =>
    importsOf(file)
      .filter(forbidden)
      .map((specifier) => `${relative(ROOT, file)} imports ${specifier}`),
  );
}

const NODE_BUILTIN =
  /^(node:|fs$|path$|os$|crypto$|http$|https$|net$|child_process$|worker_threads$|stream$|url$|util$|buffer$)/;

describe('layering', () => {
  it('shared/ imports no Node built-ins, Node-only packages or extension APIs', () => {
    expect(
      violations(
        'shared',
        (s) => NODE_BUILTIN.test(s) || /^(wxt|webextension-polyfill|better-sqlite3|ws|hono|@hono\/)/.test(s),
      ),
    ).toEqual([]);
  });

  it('shared/ does not reach into the extension or the server', () => {
    expect(violations('shared', (s) => /(^|\/)(extension|server)\//.test(s))).toEqual([]);
  });

  it('the server does not import extension code', () => {
    expect(violations('server', (s) => /(^|\/)extension\//.test(s) || /^wxt/.test(s))).toEqual([]);
  });

  it('the extension does not import server code', () => {
    expect(violations('extension', (s) => /(^|\/)server\//.test(s) || /^(better-sqlite3|ws)$/.test(s))).toEqual([]);
  });
});
