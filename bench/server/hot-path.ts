// Ad-hoc: CPU per accepted update on one room with 100 subscribers (no network), split by stage.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as Y from 'yjs';
import { writeAnnotation } from '../../shared/model/index.ts';
import { resolveConfig } from '../../server/config.ts';
import { LocalFanout } from '../../server/fanout/local.ts';
import { SqliteAnnotationIndex } from '../../server/index-db/sqlite-index.ts';
import { silentLogger } from '../../server/log.ts';
import { Metrics } from '../../server/metrics.ts';
import { openDatabase } from '../../server/storage/sqlite-db.ts';
import { SqliteUpdateStore } from '../../server/storage/sqlite-updates.ts';
import { testGuard } from '../../server/guard/testing.ts';
import { Room } from '../../server/sync/room.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'hot-'));
const db = openDatabase(dir);
const store = new SqliteUpdateStore(db);
const index = new SqliteAnnotationIndex(db);
const room = await Room.load('team.doc', {
  store,
  index,
  fanout: new LocalFanout(),
  fanoutSource: Symbol('x'),
  config: resolveConfig({ dataDir: dir }),
  metrics: new Metrics(),
  log: silentLogger,
  onFailed: () => {},
  guard: testGuard().guard,
});
let sent = 0;
for (let i = 0; i < 100; i++)
  room.join({
    role: 'editor',
    memberId: 'm',
    send: () => {
      sent++;
    },
    close: () => {},
  });
const writer = { role: 'editor' as const, memberId: 'w', send() {}, close() {} };
room.join(writer);
const doc = new Y.Doc();
const updates: Uint8Array[] = [];
doc.on('update', (u: Uint8Array) => updates.push(u));
for (let i = 0; i < 2000; i++)
  writeAnnotation(
    doc,
    {
      id: `a${i}`,
      documentKey: 'doc',
      teamId: 'team',
      selectors: [{ type: 'TextQuoteSelector', exact: 'x' }],
      clausePath: ['一、'],
      quote: '引文',
      tags: ['体育'],
      note: `n${i}`,
      color: 'yellow',
      author: { id: 'w', name: '张三' },
      visibility: 'team',
      replyTo: null,
      createdAt: i,
      updatedAt: i,
      deleted: false,
    },
    'w',
  );
const t0 = performance.now();
for (const u of updates) {
  room.applyFrom(writer, writer, u, { holdPending: true });
  await room.whenDurable();
}
await index.flush();
const ms = performance.now() - t0;
console.log(
  `${((ms / updates.length) * 1000).toFixed(0)} µs per update incl. 100 sends, append and index (${sent} sends)`,
);
