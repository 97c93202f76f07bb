import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../storage/sqlite-db.ts';
import { SqliteClientOwners } from './client-owners.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('client id owners in SQLite', () => {
  it('keeps the first owner of each client id across a reopen, per room', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pizhu-owners-'));
    dirs.push(dir);
    const first = openDatabase(dir);
    const owners = new SqliteClientOwners(first);
    owners.claim('t.a', [1, 2], 'm1');
    owners.claim('t.a', [2, 3], 'm2');
    owners.claim('t.b', [1], 'm2');
    first.close();
    const again = new SqliteClientOwners(openDatabase(dir));
    expect(again.ownersOf('t.a')).toEqual(
      new Map([
        [1, 'm1'],
        [2, 'm1'],
        [3, 'm2'],
      ]),
    );
    expect(again.ownersOf('t.b')).toEqual(new Map([[1, 'm2']]));
  });
});
