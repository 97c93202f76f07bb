/**
 * One server per DATA_DIR, as users run it (`node dist/server/main.js`): a restart right after `kill -9` always
 * starts (the lock dies with the process, even while it is a zombie its parent has not reaped yet), and a second
 * live server on the same folder is refused with a message that says what to do.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { exited, SERVER_MAIN, type ServerProcess, spawnServer, startServerProcess } from '../../server-process.ts';
import { tempDir } from './helpers.ts';

const RESTARTS = 10;
let dataDir: string;
const running: ServerProcess[] = [];

afterEach(async () => {
  for (const parent of parents.splice(0)) {
    // The servers under it were killed; ending the parent lets init reap them.
    parent.kill('SIGKILL');
    await exited(parent);
  }
  for (const server of running.splice(0)) {
    server.child.kill('SIGKILL');
    await exited(server.child);
  }
  rmSync(dataDir, { recursive: true, force: true });
});

/**
 * The server under a parent that does not reap it (`sh` replaced by `sleep`, as a slow supervisor would be): once
 * killed, the server stays a zombie, so its pid still answers `kill(pid, 0)` while the next one starts.
 */
async function startUnderLazyParent(): Promise<{ parent: ChildProcess; pid: number; url: string }> {
  const parent = spawn('/bin/sh', ['-c', 'node "$0" & echo "server pid $!"; exec sleep 300', SERVER_MAIN], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  parents.push(parent);
  let output = '';
  parent.stdout!.on('data', (d) => (output += d));
  parent.stderr!.on('data', (d) => (output += d));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const pid = /server pid (\d+)/.exec(output)?.[1];
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
    if (pid && url) return { parent, pid: Number(pid), url };
    if (/Cannot start/.test(output) || Date.now() > deadline) throw new Error(`the server did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
const parents: ChildProcess[] = [];

async function start(): Promise<ServerProcess> {
  const server = await startServerProcess({ DATA_DIR: dataDir });
  running.push(server);
  return server;
}

describe('the DATA_DIR lock', () => {
  it(`restarts at once after kill -9, ${RESTARTS} times in a row, while the killed one is not reaped yet`, async () => {
    dataDir = tempDir('pizhu-lock-restart-');
    let server = await startUnderLazyParent();
    for (let i = 0; i < RESTARTS; i++) {
      process.kill(server.pid, 'SIGKILL');
      server = await startUnderLazyParent();
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
    }
    process.kill(server.pid, 'SIGKILL');
  }, 120_000);

  it('refuses a second live server on the same folder, and lets it start once the first has stopped', async () => {
    dataDir = tempDir('pizhu-lock-two-');
    const first = await start();
    const second = spawnServer({ DATA_DIR: dataDir });
    expect(await exited(second.child)).toBe(1);
    expect(second.output()).toMatch(
      /Another Pizhu server is using the DATA_DIR .*; stop it or give this server its own/,
    );
    expect((await fetch(`${first.url}/health`)).status).toBe(200);

    first.child.kill('SIGTERM');
    expect(await exited(first.child)).toBe(0);
    const third = await start();
    expect((await fetch(`${third.url}/health`)).status).toBe(200);
  }, 60_000);
});
