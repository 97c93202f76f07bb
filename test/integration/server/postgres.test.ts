/**
 * The server and its CLI on PostgreSQL (started by scripts/services.mjs): schema migrations under an advisory
 * lock with three processes starting at once, the CLI on whichever store the variables select, the refusal of
 * DATABASE_URL without REDIS_URL, and `migrate` from a data folder the real server wrote with real clients,
 * checked field by field through both stores' interfaces.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { annotationIdsOf, notesMap, roomIdFor, TEAM_ROOM_KEY } from '../../../shared/model/index.ts';
import type { JoinResponse } from '../../../shared/protocol/api.ts';
import { writeProgress, writeTask } from '../../../shared/tasks/index.ts';
import { TeamService } from '../../../server/auth/team-service.ts';
import { SqliteClientOwners } from '../../../server/guard/client-owners.ts';
import { PgAnnotationIndex } from '../../../server/index-db/pg-index.ts';
import { SqliteAnnotationIndex } from '../../../server/index-db/sqlite-index.ts';
import { PG_MIGRATIONS } from '../../../server/storage/pg/migrate.ts';
import { PendingClaims, PgClientOwners } from '../../../server/storage/pg/pg-client-owners.ts';
import { PgTeamStore } from '../../../server/storage/pg/pg-teams.ts';
import { PgUnitCache } from '../../../server/storage/pg/pg-units.ts';
import { PgUpdateStore } from '../../../server/storage/pg/pg-updates.ts';
import { createPgPool } from '../../../server/storage/pg/pool.ts';
import { openDatabase } from '../../../server/storage/sqlite-db.ts';
import { SqliteTeamStore } from '../../../server/storage/sqlite-teams.ts';
import { SqliteUpdateStore } from '../../../server/storage/sqlite-updates.ts';
import { silentLogger } from '../../../server/log.ts';
import { exited, SERVER_MAIN, type ServerProcess, spawnServer, startServerProcess } from '../../server-process.ts';
import { acquireServices, freshDatabase, releaseServices, type Services } from '../../server/services.ts';
import { progressEntry, push, taskRecord, unitRecord, writeUnits } from '../tasks/fixtures.ts';
import { annotation, authorOf, canonicalJson, writeOwn } from './fixtures.ts';
import { api, connectProvider, eventually, tempDir } from './helpers.ts';

let services: Services;
const running: ServerProcess[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  services = await acquireServices();
});
afterAll(async () => {
  for (const server of running) server.child.kill('SIGKILL');
  await Promise.all(running.map((server) => exited(server.child)));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  await releaseServices();
});

/** `node dist/server/main.js <args>` with this environment, as a child process; resolves with its exit. */
function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SERVER_MAIN, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

async function cliJson<T>(args: string[], env: NodeJS.ProcessEnv): Promise<T> {
  const result = await runCli([...args, '--json'], env);
  if (result.status !== 0) throw new Error(`${args.join(' ')} failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

describe('PostgreSQL schema and CLI', () => {
  it('applies each schema migration exactly once when three processes start at once', async () => {
    const url = await freshDatabase(services.databaseUrl);
    const results = await Promise.all([1, 2, 3].map(() => runCli(['team', 'list', '--json'], { DATABASE_URL: url })));
    expect(results.map((r) => [r.status, r.stderr])).toEqual([
      [0, ''],
      [0, ''],
      [0, ''],
    ]);
    const pool = createPgPool(url);
    try {
      const { rows } = await pool.query('SELECT version, name FROM schema_migrations ORDER BY version');
      expect(rows).toEqual(PG_MIGRATIONS.map(({ version, name }) => ({ version, name })));
    } finally {
      await pool.end();
    }
  });

  it('runs team create, invite and members against PostgreSQL when DATABASE_URL is set', async () => {
    const env = { DATABASE_URL: await freshDatabase(services.databaseUrl), DATA_DIR: '/proc/never-used' };
    const team = await cliJson<{ teamId: string; inviteCode: string }>(['team', 'create', '政策研究组'], env);
    const invite = await cliJson<{ role: string }>(['invite', team.teamId, '--role', 'viewer'], env);
    expect(invite.role).toBe('viewer');
    expect(await cliJson<unknown[]>(['members', team.teamId], env)).toEqual([]);
    const teams = await cliJson<{ id: string; name: string }[]>(['team', 'list'], env);
    expect(teams.map((t) => [t.id, t.name])).toEqual([[team.teamId, '政策研究组']]);
    const wrong = await runCli(['team', 'list', '--bogus'], env);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/Unknown option '--bogus'/);
  });

  it('refuses DATABASE_URL without REDIS_URL with a clear message', async () => {
    const server = spawnServer({ DATABASE_URL: services.databaseUrl, REDIS_URL: '' });
    expect(await exited(server.child)).toBe(1);
    expect(server.output()).toMatch(/DATABASE_URL is set but REDIS_URL is not/);
  });
});

describe('migrate --from <DATA_DIR> --to <DATABASE_URL>', () => {
  const dataDir = tempDir('pizhu-migrate-');
  dirs.push(dataDir);
  let owner: JoinResponse;
  let databaseUrl: string;
  let listedBefore: unknown;
  let tasksBefore: unknown;

  it('copies a data folder the real server wrote, verified field by field; a second run changes nothing', async () => {
    const sqliteServer = await startServerProcess({ DATA_DIR: dataDir, PIZHU_COMPACT_AFTER_UPDATES: '5' });
    running.push(sqliteServer);
    const inviteCode = /Invite code: (\S+)/.exec(sqliteServer.output())![1]!;
    owner = (await api<JoinResponse>(sqliteServer, 'POST', '/api/join', { body: { inviteCode, displayName: '主任' } }))
      .body;
    const invite = await api<{ inviteCode: string }>(sqliteServer, 'POST', `/api/teams/${owner.teamId}/invites`, {
      token: owner.token,
      body: { role: 'editor' },
    });
    const editor = (
      await api<JoinResponse>(sqliteServer, 'POST', '/api/join', {
        body: { inviteCode: invite.body.inviteCode, displayName: '科员' },
      })
    ).body;
    // Real clients write in three rooms; one room gets enough updates to be compacted.
    for (const [page, count] of [
      ['notice-a', 8],
      ['notice-b', 2],
      ['notice-c', 1],
    ] as const) {
      const room = roomIdFor(owner.teamId, page);
      const docs = [new Y.Doc(), new Y.Doc()];
      const providers = await Promise.all([
        connectProvider(sqliteServer, owner.token, room, docs[0]!),
        connectProvider(sqliteServer, editor.token, room, docs[1]!),
      ]);
      for (let i = 0; i < count; i++) {
        const [writer, doc] = i % 2 === 0 ? [owner, docs[0]!] : [editor, docs[1]!];
        writeOwn(
          doc,
          annotation(`${page}-${i}`, owner.teamId, page, {
            author: authorOf(writer),
            note: `批注 ${i}`,
            tags: i % 3 === 0 ? ['重点'] : [],
          }),
        );
      }
      const fingerprint = (doc: Y.Doc) =>
        canonicalJson([[...Y.decodeStateVector(Y.encodeStateVector(doc))].sort(), notesMap(doc).toJSON()]);
      await eventually(
        async () => [fingerprint(docs[0]!), fingerprint(docs[1]!)],
        ([a, b]) => a === b && annotationIdsOf(docs[0]!).length === count,
      );
      for (const provider of providers) provider.destroy();
    }
    // Tasks with progress on two notices, the team's units, and the editor's unit.
    await push(sqliteServer, owner, owner.teamId, roomIdFor(owner.teamId, TEAM_ROOM_KEY), (doc) =>
      writeUnits(doc, { 'u-twy': unitRecord('团委', owner), 'u-jcjy': unitRecord('基础教育科', owner) }),
    );
    // The unit is given by id once the index knows the team's units.
    await eventually(
      () => api<{ records: object }>(sqliteServer, 'GET', `/api/teams/${owner.teamId}/units`, { token: owner.token }),
      (response) => Object.keys(response.body.records ?? {}).length === 2,
    );
    await push(sqliteServer, owner, owner.teamId, roomIdFor(owner.teamId, 'notice-a'), (doc) => {
      writeTask(doc, taskRecord('t1', owner, { leader: '王副局长、李副局长' }));
      writeTask(doc, taskRecord('t2', owner, { status: 'doing', due: { text: '长期坚持', date: null } }));
      writeTask(doc, taskRecord('t3', owner, { deleted: true }));
      writeProgress(doc, progressEntry('p1', owner, 't1'));
    });
    await push(sqliteServer, owner, owner.teamId, roomIdFor(owner.teamId, 'notice-b'), (doc) =>
      writeTask(doc, taskRecord('t1', owner, { units: [], leadUnits: ['u-jcjy'] })),
    );
    const unit = await api(sqliteServer, 'PATCH', `/api/teams/${owner.teamId}/members/${editor.memberId}`, {
      token: owner.token,
      body: { unit: 'u-twy' },
    });
    expect(unit.status).toBe(200);
    const list = async () =>
      (
        await api<{ annotations: { id: string }[] }>(sqliteServer, 'GET', `/api/teams/${owner.teamId}/annotations`, {
          token: owner.token,
        })
      ).body;
    listedBefore = await eventually(list, (body) => body.annotations.length === 11);
    const tasks = async () =>
      (
        await api<{ tasks: { id: string }[] }>(sqliteServer, 'GET', `/api/teams/${owner.teamId}/tasks`, {
          token: owner.token,
        })
      ).body;
    tasksBefore = await eventually(tasks, (body) => body.tasks.length === 3);
    sqliteServer.child.kill('SIGTERM');
    expect(await exited(sqliteServer.child)).toBe(0);

    databaseUrl = await freshDatabase(services.databaseUrl);
    const first = await cliJson<{ copied: Record<string, number>; verified: number }>(
      ['migrate', '--from', dataDir, '--to', databaseUrl],
      {},
    );
    expect(first.copied).toMatchObject({
      teams: 1,
      members: 2,
      rooms: 4,
      annotations: 11,
      team_units: 2,
      tasks: 4,
      task_units: 7,
      task_progress: 1,
    });
    expect(first.copied.tokens).toBeGreaterThanOrEqual(2);
    expect(first.copied.client_owners).toBeGreaterThanOrEqual(2);
    const second = await cliJson<{ copied: Record<string, number>; verified: number }>(
      ['migrate', '--from', dataDir, '--to', databaseUrl],
      {},
    );
    expect(Object.values(second.copied).every((n) => n === 0)).toBe(true);
    expect(second.verified).toBe(first.verified);

    await expectSameThroughBothStores(dataDir, databaseUrl, owner);
  });

  it('serves the copied team from PostgreSQL: same annotations, same room state', async () => {
    const pgServer = await startServerProcess({ DATABASE_URL: databaseUrl, REDIS_URL: services.redisUrl });
    running.push(pgServer);
    const listed = await api(pgServer, 'GET', `/api/teams/${owner.teamId}/annotations`, { token: owner.token });
    expect(listed.status).toBe(200);
    expect(canonicalJson(listed.body)).toBe(canonicalJson(listedBefore));
    const tasks = await api(pgServer, 'GET', `/api/teams/${owner.teamId}/tasks`, { token: owner.token });
    expect(tasks.status).toBe(200);
    expect(canonicalJson(tasks.body)).toBe(canonicalJson(tasksBefore));
    const doc = new Y.Doc();
    const provider = await connectProvider(pgServer, owner.token, roomIdFor(owner.teamId, 'notice-a'), doc);
    expect(annotationIdsOf(doc).sort()).toEqual([...Array(8).keys()].map((i) => `notice-a-${i}`).sort());
    provider.destroy();
  });
});

/** Reads everything through the SQLite stores and the PostgreSQL stores and compares it. */
async function expectSameThroughBothStores(dataDir: string, databaseUrl: string, owner: JoinResponse) {
  const db = openDatabase(dataDir);
  const pool = createPgPool(databaseUrl);
  try {
    const sqlite = {
      updates: new SqliteUpdateStore(db),
      teams: new TeamService(new SqliteTeamStore(db), { ticketTtlMs: 1, inviteTtlMs: 1, inviteMaxUses: 1 }),
      index: new SqliteAnnotationIndex(db),
      owners: new SqliteClientOwners(db),
    };
    const units = new PgUnitCache(pool, databaseUrl, silentLogger);
    const pg = {
      updates: await PgUpdateStore.open(pool),
      teams: new TeamService(new PgTeamStore(pool, units), { ticketTtlMs: 1, inviteTtlMs: 1, inviteMaxUses: 1 }),
      index: new PgAnnotationIndex(pool, units),
      owners: new PgClientOwners(pool, new PendingClaims()),
    };
    const teamId = owner.teamId;
    expect(await pg.teams.listTeams()).toEqual(await sqlite.teams.listTeams());
    expect(await pg.teams.listMembers(teamId)).toEqual(await sqlite.teams.listMembers(teamId));
    expect((await pg.teams.listMembers(teamId)).map((m) => m.unit?.id ?? null)).toEqual([null, 'u-twy']);
    expect(await pg.teams.listInvites(teamId)).toEqual(await sqlite.teams.listInvites(teamId));
    const bearer = `Bearer ${owner.token}`;
    expect(await pg.teams.authenticate(bearer)).toEqual(await sqlite.teams.authenticate(bearer));
    expect(await pg.teams.authenticate(bearer)).toMatchObject({ memberId: owner.memberId, role: 'owner' });

    const heads = await sqlite.updates.teamRooms(teamId);
    expect(heads).toHaveLength(4);
    expect((await pg.updates.teamRooms(teamId)).map((h) => [h.roomId, h.lastSeq])).toEqual(
      heads.map((h) => [h.roomId, h.lastSeq]),
    );
    for (const { roomId } of heads) {
      expect(await pg.updates.load(roomId)).toEqual(await sqlite.updates.load(roomId));
      expect(await pg.owners.ownersOf(roomId)).toEqual(sqlite.owners.ownersOf(roomId));
      expect(await pg.index.through(roomId)).toBe(await sqlite.index.through(roomId));
    }
    expect(await pg.index.list(teamId, { limit: 100, includeDeleted: true })).toEqual(
      await sqlite.index.list(teamId, { limit: 100, includeDeleted: true }),
    );
    expect(await pg.index.tags(teamId)).toEqual(await sqlite.index.tags(teamId));
    expect(await pg.index.documents(teamId)).toEqual(await sqlite.index.documents(teamId));
    expect(await pg.index.teamAnnotations(teamId)).toEqual(await sqlite.index.teamAnnotations(teamId));
    expect(Object.keys(await pg.index.units(teamId))).toHaveLength(2);
    expect(await pg.index.units(teamId)).toEqual(await sqlite.index.units(teamId));
    const query = { today: '2023-06-25', limit: 100 };
    const sqliteTasks = await sqlite.index.tasks.list(teamId, query);
    expect(sqliteTasks.tasks).toHaveLength(3);
    expect(await pg.index.tasks.list(teamId, query)).toEqual(sqliteTasks);
    for (const filter of [{ unit: 'u-jcjy' }, { leader: '李副局长' }, { status: ['doing' as const] }]) {
      expect(await pg.index.tasks.list(teamId, { ...query, ...filter })).toEqual(
        await sqlite.index.tasks.list(teamId, { ...query, ...filter }),
      );
    }
    expect(await pg.index.tasks.progressOf(teamId, sqliteTasks.tasks)).toEqual(
      await sqlite.index.tasks.progressOf(teamId, sqliteTasks.tasks),
    );
  } finally {
    db.close();
    await pool.end();
  }
}
