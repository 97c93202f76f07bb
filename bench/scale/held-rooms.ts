/**
 * `npm run bench:held-rooms`: what an instance holding many rooms costs Redis. The server's own fan-out
 * (server/fanout/redis.ts) on a real Redis from scripts/services.mjs: one RedisFanout holds R rooms, as an
 * instance with R rooms open does; another appends updates to random ones of them at RATE/s, as the other
 * instances do. For R from a hundred to twenty thousand (PIZHU_MAX_LOADED_ROOMS' default): Redis's CPU share,
 * the holder's, and the delivery latency from append to the holder's room. Then the deployment-wide socket
 * slots (server/guard/deployment-limits.ts) of an instance holding 10,000 sockets: how long their renewals, on
 * their own timer as in the server, hold the event loop that every room of the instance runs on. Then the
 * check of the stored room heads an instance runs each second (server/sync/registry.ts `checkHeads`) with
 * 20,000 rooms of 500 teams held, on a real PostgreSQL while other instances append 200 updates/s: the store's
 * query for all the teams at once, beside one query per team as the check ran before. Prints a table and
 * writes bench/scale/held-rooms.json.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { servicePids, startServices } from '../../scripts/services.mjs';
import { RedisFanout } from '../../server/fanout/redis.ts';
import { migratePostgres } from '../../server/storage/pg/migrate.ts';
import { createPgPool } from '../../server/storage/pg/pool.ts';
import { PgUpdateStore } from '../../server/storage/pg/pg-updates.ts';
import { freshDatabase } from '../../test/server/services.ts';
import { RedisLimits, SOCKET_TTL_MS } from '../../server/guard/deployment-limits.ts';
import type { FanoutMessage, FanoutSubscriber } from '../../server/fanout/types.ts';
import { silentLogger } from '../../server/log.ts';
import { sleep } from '../server/clients.ts';
import { percentile } from '../stats.ts';
import { meterCpu } from './cpu.ts';

const HELD = (process.env.BENCH_HELD ?? '100,1000,5000,20000').split(',').map(Number);
const RATE = Number(process.env.BENCH_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const UPDATE = new Uint8Array(300).fill(7);

type Row = {
  held: number;
  appended: number;
  delivered: number;
  p50: number;
  p99: number;
  redis: number;
  holder: number;
};

/** A held room: records when each update (its seq is the append's send time index) arrived. */
class TimedRoom implements FanoutSubscriber {
  constructor(private readonly arrived: (seq: number) => void) {}
  onFanout(message: FanoutMessage): void {
    if (message.kind === 'update') this.arrived(message.seq);
  }
}

async function measure(
  redisUrl: string,
  { redis: redisPid, postmaster }: { redis: number; postmaster: number },
  held: number,
): Promise<Row> {
  const options = {
    url: redisUrl,
    namespace: `bench:held-${held}`,
    streamMaxLength: 1000,
    dropRatio: 0,
    log: silentLogger,
  };
  const [holder, writer] = await Promise.all([RedisFanout.connect(options), RedisFanout.connect(options)]);
  const sentAt: number[] = [];
  const latencies: number[] = [];
  const rooms = Array.from({ length: held }, (_, i) => `team.doc-${i}`);
  for (const room of rooms) {
    holder.subscribe(room, Symbol('holder'), new TimedRoom((seq) => latencies.push(performance.now() - sentAt[seq]!)));
  }
  await sleep(1_000 + held / 20); // the presence subscriptions and the first read of every stream
  const stopCpu = meterCpu({ instances: [], postmaster, redis: redisPid });
  const start = performance.now();
  let seq = 1; // the stream's entries count from 1
  while (performance.now() - start < SECONDS * 1000) {
    const due = start + ((seq - 1) * 1000) / RATE;
    if (due > performance.now()) await sleep(due - performance.now());
    sentAt[seq] = performance.now();
    writer.publish(rooms[Math.floor(Math.random() * held)]!, { kind: 'update', seq, update: UPDATE }, Symbol('writer'));
    seq++;
  }
  await sleep(1_000);
  const cpu = stopCpu();
  await Promise.all([holder.close(), writer.close()]);
  return {
    held,
    appended: seq - 1,
    delivered: latencies.length,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    redis: cpu.redis / cpu.wall,
    // This process runs the writer too: its share bounds the holder's from above.
    holder: cpu.driver / cpu.wall,
  };
}

/** Event-loop delay while `sockets` slots are held and renewed over two renewal periods. */
async function socketRenewals(redisUrl: string, sockets: number) {
  const limits = new RedisLimits(redisUrl, 'bench:slots', { perMember: 32, perTeam: sockets }, 20, silentLogger);
  // Officials with five pages open each, in five teams.
  for (let i = 0; i < sockets; i++) {
    await limits.takeSocket({ id: `s${i}`, memberId: `m${Math.floor(i / 5)}`, teamId: `t${i % 5}` });
  }
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  await sleep((2 * SOCKET_TTL_MS) / 3);
  delay.disable();
  await limits.close();
  return { sockets, maxMs: delay.max / 1e6, p99Ms: delay.percentile(99) / 1e6 };
}

/**
 * Wall time of the head checks of `teams` teams with `perTeam` rooms each over SECONDS per way of asking, the
 * two ways alternating each second, and PostgreSQL's CPU share meanwhile.
 */
async function headChecks(
  databaseUrl: string,
  pids: { redis: number; postmaster: number },
  teams: number,
  perTeam: number,
) {
  const url = await freshDatabase(databaseUrl);
  const pool = createPgPool(url);
  const writers = createPgPool(url);
  try {
    await migratePostgres(pool);
    const store = await PgUpdateStore.open(pool);
    const other = await PgUpdateStore.open(writers);
    const teamIds = Array.from({ length: teams }, (_, t) => `team${t}`);
    // Rooms as other instances left them: a head each, no updates needed to check heads.
    await pool.query(
      `INSERT INTO rooms (id, team_id, change_id, last_seq, bytes, row_count, created_at, changed_at)
       SELECT 'team' || (i % $1::int) || '.doc' || i, 'team' || (i % $1::int), 1, 1, 300, 1, 0, 0
       FROM generate_series(0, $1::int * $2::int - 1) AS i`,
      [teams, perTeam],
    );
    const ways = {
      'one query': (since: number) => store.changedRooms(teamIds, since),
      'one per team': async (since: number) => {
        for (const teamId of teamIds) await store.changedRooms([teamId], since);
      },
    };
    const timings: Record<keyof typeof ways, number[]> = { 'one query': [], 'one per team': [] };
    const cpu: Record<keyof typeof ways, number> = { 'one query': 0, 'one per team': 0 };
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        const team = i % teams;
        const room = `team${team}.doc${team + teams * Math.floor(Math.random() * perTeam)}`;
        await other.append(room, `team${team}`, [UPDATE]);
        await sleep(1000 / RATE);
      }
    })();
    let since = await store.currentCursor();
    for (let second = 0; second < 2 * SECONDS; second++) {
      const way = second % 2 === 0 ? 'one query' : 'one per team';
      const stopCpu = meterCpu({ instances: [], ...pids });
      const through = await store.currentCursor();
      const started = performance.now();
      await ways[way](since);
      timings[way].push(performance.now() - started);
      since = through;
      await sleep(1000 - timings[way].at(-1)!);
      const used = stopCpu();
      cpu[way] += used.postgres / used.wall / SECONDS;
    }
    writing = false;
    await writer;
    return Object.entries(timings).map(([way, ms]) => ({
      way,
      rooms: teams * perTeam,
      teams,
      p50: percentile(ms, 50),
      max: Math.max(...ms),
      postgres: cpu[way as keyof typeof ways],
    }));
  } finally {
    await Promise.all([pool.end(), writers.end()]);
  }
}

const services = await startServices();
try {
  const pids = servicePids(services.dir);
  const rows: Row[] = [];
  for (const held of HELD) {
    const row = await measure(services.redisUrl, pids, held);
    rows.push(row);
    console.log(
      `${String(held).padStart(6)} rooms held: ${row.delivered}/${row.appended} delivered, p50 ${row.p50.toFixed(2)} ms, ` +
        `p99 ${row.p99.toFixed(2)} ms; Redis ${(row.redis * 100).toFixed(0)}% of a core, holder + writer ${(row.holder * 100).toFixed(0)}%`,
    );
  }
  const slots = await socketRenewals(services.redisUrl, 10_000);
  console.log(
    `${slots.sockets} socket slots renewed: event loop held at most ${slots.maxMs.toFixed(1)} ms (p99 ${slots.p99Ms.toFixed(1)} ms)`,
  );
  const heads = await headChecks(services.databaseUrl, pids, 500, 40);
  for (const row of heads) {
    console.log(
      `head check of ${row.rooms} rooms in ${row.teams} teams, ${row.way}: p50 ${row.p50.toFixed(1)} ms, ` +
        `max ${row.max.toFixed(1)} ms; PostgreSQL ${(row.postgres * 100).toFixed(0)}% of a core`,
    );
  }
  writeFileSync(
    path.join(import.meta.dirname, 'held-rooms.json'),
    `${JSON.stringify({ rate: RATE, seconds: SECONDS, rows, slots, heads }, null, 2)}\n`,
  );
} finally {
  await services.stop();
}
process.exit(0);
