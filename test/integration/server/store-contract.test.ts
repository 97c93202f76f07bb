/**
 * The team store, the query index and the client id owners, run against the stores `openStores` selects:
 * the embedded SQLite file and PostgreSQL. The same calls must give the same answers.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Annotation } from '../../../shared/model/index.ts';
import { resolveConfig } from '../../../server/config.ts';
import { silentLogger } from '../../../server/log.ts';
import { openStores, type Stores } from '../../../server/storage/open-stores.ts';
import { sampleAnnotation } from '../../fixtures/annotation.ts';
import { acquireServices, freshDatabase, releaseServices } from '../../server/services.ts';
import { tempDir } from './helpers.ts';

type Backend = { name: string; open(): Promise<Stores & { dispose(): Promise<void> }> };

const backends: Backend[] = [
  {
    name: 'sqlite',
    async open() {
      const dataDir = tempDir('pizhu-contract-');
      const stores = await openStores(resolveConfig({ dataDir }), {
        log: silentLogger,
        lockDataDir: false,
        serving: false,
      });
      return Object.assign(stores, {
        async dispose() {
          await stores.close();
          rmSync(dataDir, { recursive: true, force: true });
        },
      });
    },
  },
  {
    name: 'postgres',
    async open() {
      const services = await acquireServices();
      const databaseUrl = await freshDatabase(services.databaseUrl);
      const stores = await openStores(resolveConfig({ databaseUrl }), {
        log: silentLogger,
        lockDataDir: false,
        serving: false,
      });
      return Object.assign(stores, {
        databaseUrl,
        async dispose() {
          await stores.close();
          await releaseServices();
        },
      });
    },
  },
];

const note = (id: string, extra: Partial<Annotation> = {}): Annotation =>
  sampleAnnotation({
    id,
    documentKey: 'd1',
    teamId: 't1',
    selectors: [{ type: 'TextQuoteSelector', exact: 'x' }],
    clausePath: ['一、'],
    quote: '引文',
    ...extra,
  });

describe.each(backends)('stores on $name', (backend) => {
  let stores: Stores & { dispose(): Promise<void> };
  beforeAll(async () => {
    stores = await backend.open();
  });
  afterAll(async () => stores.dispose());

  describe('TeamStore', () => {
    const now = 1_700_000_000_000;
    const invite = (id: string, extra: { maxUses?: number | null; expiresAt?: number | null } = {}) => ({
      id,
      teamId: 'tA',
      role: 'editor' as const,
      maxUses: extra.maxUses ?? null,
      uses: 0,
      expiresAt: extra.expiresAt ?? null,
      createdAt: now,
      revokedAt: null,
      codeHash: `hash-${id}`,
      createdBy: null,
    });
    const joinAs = (memberId: string, maxMembers = 100) => ({
      memberId,
      displayName: memberId,
      tokenHash: `tok-${memberId}`,
      now,
      maxMembers,
    });

    it('creates teams, redeems invites (the first member owns the team) and answers tokens', async () => {
      const teams = stores.teams;
      await teams.createTeam({ id: 'tA', name: '政策研究组', createdAt: now });
      expect(await teams.getTeam('tA')).toEqual({ id: 'tA', name: '政策研究组', createdAt: now });
      expect(await teams.getTeam('tNone')).toBeNull();
      await teams.addInvite(invite('i1', { maxUses: 2 }));
      const first = await teams.redeemInvite('hash-i1', joinAs('m1'));
      const second = await teams.redeemInvite('hash-i1', joinAs('m2'));
      expect(first).toMatchObject({ ok: true, teamName: '政策研究组', member: { id: 'm1', role: 'owner' } });
      expect(second).toMatchObject({ ok: true, member: { id: 'm2', role: 'editor' } });
      expect(await teams.redeemInvite('hash-i1', joinAs('m3'))).toEqual({ ok: false, reason: 'used_up' });
      expect(await teams.redeemInvite('hash-nope', joinAs('m3'))).toEqual({ ok: false, reason: 'unknown' });
      await teams.addInvite(invite('i2', { expiresAt: now - 1 }));
      expect(await teams.redeemInvite('hash-i2', joinAs('m3'))).toEqual({ ok: false, reason: 'expired' });
      await teams.addInvite(invite('i3'));
      expect(await teams.revokeInvite('tA', 'i3', now)).toBe(true);
      expect(await teams.revokeInvite('tA', 'i3', now)).toBe(false);
      expect(await teams.redeemInvite('hash-i3', joinAs('m3'))).toEqual({ ok: false, reason: 'revoked' });
      expect((await teams.listInvites('tA')).map((i) => [i.id, i.uses])).toEqual([
        ['i1', 2],
        ['i2', 0],
        ['i3', 0],
      ]);
      expect(await teams.listTeams()).toEqual([{ id: 'tA', name: '政策研究组', createdAt: now, members: 2, rooms: 0 }]);
      expect(await teams.findToken('tok-m2')).toEqual({
        memberId: 'm2',
        teamId: 'tA',
        teamName: '政策研究组',
        displayName: 'm2',
        role: 'editor',
        tokenHash: 'tok-m2',
      });
      expect(await teams.liveTokens(['tok-m1', 'tok-m2', 'tok-none'])).toEqual(
        new Map([
          ['tok-m1', 'owner'],
          ['tok-m2', 'editor'],
        ]),
      );
    });

    it('refuses a join past the member cap', async () => {
      await stores.teams.addInvite(invite('capped'));
      const members = (await stores.teams.listMembers('tA')).length;
      expect(await stores.teams.redeemInvite('hash-capped', joinAs('over', members))).toEqual({
        ok: false,
        reason: 'team_full',
      });
    });

    it('gives one use of a single-use invite to one of two people redeeming it at once', async () => {
      await stores.teams.addInvite(invite('once', { maxUses: 1 }));
      const results = await Promise.all(['r1', 'r2'].map((m) => stores.teams.redeemInvite('hash-once', joinAs(m))));
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.filter((r) => !r.ok)).toEqual([{ ok: false, reason: 'used_up' }]);
    });

    it('changes roles, removes members with their tokens and invites, and revokes tokens', async () => {
      const teams = stores.teams;
      await teams.setRole('m2', 'viewer');
      expect((await teams.getMember('m2'))?.role).toBe('viewer');
      expect(await teams.countOwners('tA')).toBe(1);
      await teams.addInvite({ ...invite('by-m2'), createdBy: 'm2' });
      await teams.removeMember('m2', now + 1);
      expect(await teams.findToken('tok-m2')).toBeNull();
      expect((await teams.listInvites('tA')).find((i) => i.id === 'by-m2')?.revokedAt).toBe(now + 1);
      expect((await teams.listMembers('tA')).map((m) => m.id)).not.toContain('m2');
      expect(await teams.revokeToken('tok-m1', now)).toBe(true);
      expect(await teams.revokeToken('tok-m1', now)).toBe(false);
      expect(await teams.findToken('tok-m1')).toBeNull();
    });

    it('hands out a ticket once and deletes expired ones', async () => {
      const ticket = { hash: 'th', tokenHash: 'tok', memberId: 'm1', teamId: 'tA', room: 'tA.d', expiresAt: now };
      await stores.teams.addTicket(ticket);
      await stores.teams.addTicket({ ...ticket, hash: 'old', expiresAt: now - 10 });
      expect(await stores.teams.consumeTicket('th')).toEqual(ticket);
      expect(await stores.teams.consumeTicket('th')).toBeNull();
      expect(await stores.teams.deleteExpiredTickets(now - 1)).toBe(1);
    });
  });

  describe('query index', () => {
    it('writes batches, filters, pages, and keeps teams apart', async () => {
      const index = stores.index;
      index.applyChange({
        roomId: 't1.d1',
        teamId: 't1',
        documentKey: 'd1',
        upserts: [
          note('a', { note: '落实 100% 覆盖', tags: ['体育'], updatedAt: 3, clausePath: ['一、', '（一）'] }),
          note('b', { note: '其他', tags: ['体育', '重点'], updatedAt: 2, author: { id: 'm2', name: '李四' } }),
          note('c', { note: 'ＰＰＰ模式', tags: [], updatedAt: 1, clausePath: ['十一、'] }),
        ],
        removedIds: [],
        document: { key: 'd1', canonicalUrl: 'example.gov.cn/n', url: 'https://example.gov.cn/n', title: '通知' },
        throughSeq: 4,
      });
      index.applyChange({
        roomId: 't2.d1',
        teamId: 't2',
        documentKey: 'd1',
        upserts: [note('theirs', { teamId: 't2', note: '落实' })],
        removedIds: [],
        throughSeq: 1,
      });
      await index.flush();
      const ids = async (filter: Parameters<typeof index.list>[1]) =>
        (await index.list('t1', filter)).annotations.map((a) => a.id);
      expect(await ids({ limit: 10 })).toEqual(['a', 'b', 'c']);
      expect(await ids({ limit: 10, text: '100%' })).toEqual(['a']);
      expect(await ids({ limit: 10, text: '0_%' })).toEqual([]);
      expect(await ids({ limit: 10, text: 'ppp' })).toEqual(['c']);
      expect(await ids({ limit: 10, tag: '重点' })).toEqual(['b']);
      expect(await ids({ limit: 10, authorId: 'm2' })).toEqual(['b']);
      expect(await ids({ limit: 10, clausePath: ['一、'] })).toEqual(['a', 'b']);
      expect(await ids({ limit: 10, from: 2, to: 2 })).toEqual(['b']);
      const first = await index.list('t1', { limit: 2 });
      expect(first.annotations.map((a) => a.id)).toEqual(['a', 'b']);
      expect(await ids({ limit: 2, cursor: first.nextCursor! })).toEqual(['c']);
      expect(await index.tags('t1')).toEqual([
        { tag: '体育', count: 2 },
        { tag: '重点', count: 1 },
      ]);
      expect(await index.documents('t1')).toEqual([
        {
          documentKey: 'd1',
          room: 't1.d1',
          document: { key: 'd1', canonicalUrl: 'example.gov.cn/n', url: 'https://example.gov.cn/n', title: '通知' },
          annotations: 3,
        },
      ]);
      const briefing = await index.teamAnnotations('t1', { tags: ['体育'] });
      expect(briefing.annotations.map((a) => a.id)).toEqual(['a', 'b']);
      expect(briefing.documents.map((d) => d.title)).toEqual(['通知']);
      expect((await index.teamAnnotations('t2')).annotations.map((a) => a.id)).toEqual(['theirs']);
      expect(await index.through('t1.d1')).toBe(4);
    });

    it('removes what left a room, never moves `through` back, and replaces a room wholesale', async () => {
      const index = stores.index;
      index.applyChange({
        roomId: 't1.d1',
        teamId: 't1',
        documentKey: 'd1',
        upserts: [],
        removedIds: ['a'],
        throughSeq: 6,
      });
      index.applyChange({
        roomId: 't1.d1',
        teamId: 't1',
        documentKey: 'd1',
        upserts: [],
        removedIds: [],
        throughSeq: 5,
      });
      await index.flush();
      expect(await index.through('t1.d1')).toBe(6);
      expect((await index.list('t1', { limit: 10 })).annotations.map((a) => a.id)).toEqual(['b', 'c']);
      await index.replaceRoom(
        't1.d1',
        { document: null, annotations: [note('new', { tags: ['新'] })], invalid: [] },
        2,
      );
      expect((await index.list('t1', { limit: 10 })).annotations.map((a) => a.id)).toEqual(['new']);
      expect(await index.tags('t1')).toEqual([{ tag: '新', count: 1 }]);
      expect(await index.through('t1.d1')).toBe(2);
    });
  });

  describe('client id owners', () => {
    it("keeps the owner of each client id per room, stored no later than the room's next update", async () => {
      const { owners, updates } = stores;
      owners.claim('tO.a', [1, 2], 'm1');
      owners.claim('tO.b', [1], 'm2');
      await updates.append('tO.a', 'tO', [new Uint8Array([0, 0])]);
      await updates.append('tO.b', 'tO', [new Uint8Array([0, 0])]);
      expect(await owners.ownersOf('tO.a')).toEqual(
        new Map([
          [1, 'm1'],
          [2, 'm1'],
        ]),
      );
      expect(await owners.ownersOf('tO.b')).toEqual(new Map([[1, 'm2']]));
    });
  });
});

describe('client id owners across PostgreSQL instances', () => {
  let stores: Stores & { dispose(): Promise<void> };
  let other: Stores;
  beforeAll(async () => {
    stores = await backends[1]!.open();
    other = await openStores(resolveConfig({ databaseUrl: (stores as { databaseUrl?: string }).databaseUrl }), {
      log: silentLogger,
      lockDataDir: false,
      serving: false,
    });
  });
  afterAll(async () => {
    await other.close();
    await stores.dispose();
  });

  it('refuses the append of an instance that gave a client id another instance already gave someone else', async () => {
    stores.owners.claim('tX.a', [7], 'm1');
    await stores.updates.append('tX.a', 'tX', [new Uint8Array([0, 0])]);
    // The other instance read the owners before that claim: it thinks client 7 is free.
    other.owners.claim('tX.a', [7], 'm9');
    // A batch of two (group commit): refused as a whole, neither stored.
    await expect(other.updates.append('tX.a', 'tX', [new Uint8Array([0, 0]), new Uint8Array([0, 0])])).rejects.toThrow(
      /client id 7 of room tX.a belongs to another member/,
    );
    expect((await stores.updates.load('tX.a'))!.lastSeq).toBe(1);
    expect(await stores.owners.ownersOf('tX.a')).toEqual(new Map([[7, 'm1']]));
  });
});
