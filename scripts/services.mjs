#!/usr/bin/env node
/**
 * PostgreSQL and Redis for scale-out development and tests, without systemd: both run from Debian's packages
 * (postgresql, redis-server) in a folder of their own, on free loopback ports.
 *
 *   node scripts/services.mjs start [dir]   starts both (default dir: .services/), prints DATABASE_URL and REDIS_URL
 *   node scripts/services.mjs stop [dir]    stops what `start` started in that folder
 *
 * PostgreSQL refuses to run as root: as root, initdb and pg_ctl run as the postgres user (runuser). The
 * cluster trusts loopback connections: it is for development and tests, never for a deployment.
 */
import { execFile, spawn } from 'node:child_process';
import {
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const STATE_FILE = 'services.json';

/** The newest PostgreSQL server installed from Debian's packages. */
function postgresBin() {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base).filter((v) => existsSync(path.join(base, v, 'bin', 'pg_ctl')))
    : [];
  if (versions.length === 0) throw new Error('PostgreSQL is not installed (Debian package "postgresql")');
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  return path.join(base, newest, 'bin');
}

/** A loopback port free right now (the caller binds it soon after). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const asRoot = process.getuid?.() === 0;

/**
 * Runs a PostgreSQL tool as the postgres user when we are root, as ourselves otherwise. Without blocking: a test
 * stops and starts PostgreSQL while its clients keep running.
 */
function runPostgresTool(tool, args) {
  const command = path.join(postgresBin(), tool);
  const [file, fileArgs] = asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  return new Promise((resolve, reject) =>
    execFile(file, fileArgs, (error, _stdout, stderr) =>
      error ? reject(new Error(`${tool}: ${stderr || error.message}`)) : resolve(),
    ),
  );
}

function giveToPostgres(dir) {
  if (!asRoot) return;
  const { uid, gid } = postgresIds();
  chownSync(dir, uid, gid);
}

function postgresIds() {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('there is no postgres user (install the Debian package "postgresql")');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

async function startPostgres(dir) {
  const data = path.join(dir, 'pg');
  const sockets = path.join(dir, 'pg-socket');
  mkdirSync(sockets, { recursive: true });
  giveToPostgres(dir);
  giveToPostgres(sockets);
  await runPostgresTool('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale']);
  const port = await freePort();
  await runPostgres(dir, port);
  await runPostgresTool('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'pizhu']);
  return { port, url: `postgres://postgres@127.0.0.1:${port}/pizhu` };
}

/** pg_ctl start on `port`, the cluster's sockets in `dir`. */
function runPostgres(dir, port) {
  const sockets = path.join(dir, 'pg-socket');
  const options = `-p ${port} -k ${sockets} -c listen_addresses=127.0.0.1 -c max_connections=200 -c synchronous_commit=on`;
  const data = path.join(dir, 'pg');
  return runPostgresTool('pg_ctl', ['-D', data, '-o', options, '-l', path.join(dir, 'postgres.log'), '-w', 'start']);
}

/**
 * redis-server as a child of its own (detached, so it outlives this process when the CLI starts it): its pid is
 * known at once, with no pid file to race with. Resolves once it answers on its port.
 */
async function startRedis(dir, port) {
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'no',
      '--logfile',
      path.join(dir, 'redis.log'),
    ],
    { detached: true, stdio: 'ignore' },
  );
  child.unref();
  const pid = child.pid;
  if (!pid) throw new Error('redis-server did not start (is the Debian package "redis-server" installed?)');
  for (let i = 0; i < 500; i++) {
    if (await answersPing(port)) return { port, url: `redis://127.0.0.1:${port}`, pid };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  killIfRunning(pid);
  throw new Error(`redis-server did not answer on port ${port}; see ${path.join(dir, 'redis.log')}`);
}

/** Whether a Redis server answers PING on this loopback port. */
function answersPing(port) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(200);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** Sends SIGTERM to one process by its id; never to 0 or below (that would signal a whole process group). */
function killIfRunning(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch (error) {
    if (error.code !== 'ESRCH') throw error;
  }
}

/**
 * Starts PostgreSQL and Redis in `dir` (a fresh temporary folder by default). Resolves with their URLs and a
 * `stop()` that stops both and, for a temporary folder, removes it.
 */
export async function startServices(options = {}) {
  const temporary = !options.dir;
  const dir = options.dir ? path.resolve(options.dir) : mkdtempSync(path.join(tmpdir(), 'pizhu-services-'));
  mkdirSync(dir, { recursive: true });
  if (existsSync(path.join(dir, STATE_FILE))) throw new Error(`services already run in ${dir}; stop them first`);
  const postgres = await startPostgres(dir);
  let redis;
  try {
    redis = await startRedis(dir, await freePort());
  } catch (error) {
    await stopPostgres(dir);
    throw error;
  }
  const state = { databaseUrl: postgres.url, redisUrl: redis.url, redisPid: redis.pid };
  writeState(dir, state);
  return {
    dir,
    databaseUrl: postgres.url,
    redisUrl: redis.url,
    async stop() {
      await stopServices(dir);
      if (temporary) rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function stopPostgres(dir) {
  const data = path.join(dir, 'pg');
  if (existsSync(path.join(data, 'postmaster.pid')))
    await runPostgresTool('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
}

/** What `startServices` wrote about the services in `dir`: their URLs and Redis's pid. */
function readState(dir) {
  return JSON.parse(readFileSync(path.join(dir, STATE_FILE), 'utf8'));
}

function writeState(dir, state) {
  writeFileSync(path.join(dir, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
}

/** Stops the services `startServices` started in `dir`; resolves with false when none run there. */
export async function stopServices(dir) {
  if (!existsSync(path.join(dir, STATE_FILE))) return false;
  killIfRunning(readState(dir).redisPid);
  await stopPostgres(dir);
  rmSync(path.join(dir, STATE_FILE));
  return true;
}

/**
 * For tests of an outage: kills the Redis running in `dir` (SIGKILL, as a crash) and resolves once it is gone;
 * `startRedisAgain` starts an empty one on the same port, as a restarted Redis without persistence comes back.
 */
export async function killRedis(dir) {
  const { redisPid, redisUrl } = readState(dir);
  process.kill(redisPid, 'SIGKILL');
  const { port } = new URL(redisUrl);
  while (await answersPing(Number(port))) await new Promise((r) => setTimeout(r, 10));
}

export async function startRedisAgain(dir) {
  const state = readState(dir);
  const redis = await startRedis(dir, Number(new URL(state.redisUrl).port));
  writeState(dir, { ...state, redisPid: redis.pid });
}

/** For tests of an outage: stops PostgreSQL in `dir` at once (`immediate`: no clean shutdown) and starts it again. */
export function stopPostgresNow(dir) {
  return runPostgresTool('pg_ctl', ['-D', path.join(dir, 'pg'), '-m', 'immediate', '-w', 'stop']);
}

export function startPostgresAgain(dir) {
  const { databaseUrl } = readState(dir);
  return runPostgres(dir, Number(new URL(databaseUrl).port));
}

/** The processes of the services running in `dir`: PostgreSQL's postmaster and Redis (for the benchmarks). */
export function servicePids(dir) {
  const postmaster = Number(readFileSync(path.join(dir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
  return { postmaster, redis: readState(dir).redisPid };
}

async function main() {
  const [command, dirArgument] = process.argv.slice(2);
  const dir = path.resolve(dirArgument ?? path.join(ROOT, '.services'));
  if (command === 'start') {
    const started = await startServices({ dir });
    console.log(`DATABASE_URL=${started.databaseUrl}`);
    console.log(`REDIS_URL=${started.redisUrl}`);
  } else if (command === 'stop') {
    if (!(await stopServices(dir))) console.log(`nothing runs in ${dir}`);
    rmSync(dir, { recursive: true, force: true });
  } else {
    console.error('usage: node scripts/services.mjs start|stop [dir]');
    process.exit(2);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(error.stderr?.toString() || error.message);
    process.exit(1);
  });
}
