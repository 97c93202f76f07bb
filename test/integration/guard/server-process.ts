/**
 * The sync server as its own process (`node --import tsx server/main.ts`), for the attack tests: its memory is
 * its own (read from /proc), it is configured through the environment like a real deployment, and nothing the
 * test process does shares its event loop. The first start creates a team and prints its invite code.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../server/helpers.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');

export type ServerProcess = {
  child: ChildProcess;
  url: string;
  wsUrl: string;
  dataDir: string;
  /** The team created at the first start, and its invite code (the first to join becomes its owner). */
  teamId: string;
  inviteCode: string;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  stop(): Promise<void>;
};

/** Starts a server; `env` sets limits and timings as PIZHU_* variables. */
export async function startServerProcess(env: Record<string, string> = {}): Promise<ServerProcess> {
  const dataDir = tempDir('pizhu-guard-');
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const listening = /listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(output);
    const team = /\(id (\S+)\)\.\s+Invite code: (\S+)/.exec(output);
    if (listening && team) {
      return {
        child,
        url: listening[1]!,
        wsUrl: `ws://127.0.0.1:${listening[2]}/sync`,
        dataDir,
        teamId: team[1]!,
        inviteCode: team[2]!,
        output: () => output,
        async stop() {
          if (child.exitCode === null) {
            const exited = new Promise((r) => child.once('exit', r));
            child.kill('SIGKILL');
            await exited;
          }
          rmSync(dataDir, { recursive: true, force: true });
        },
      };
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`server did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Resident memory of a process now and at its peak, in bytes (Linux /proc). */
export function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)![1]) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** One sample of a Prometheus text metric (0 when absent). */
export async function metric(server: { url: string }, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

/** Percentile of a sorted copy. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** Creates another team with the CLI, on the running server's data folder (as an administrator would). */
export async function createTeam(server: ServerProcess, name: string): Promise<{ teamId: string; inviteCode: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', 'team', 'create', name, '--json'], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: server.dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const code = await new Promise((r) => child.once('exit', r));
  if (code !== 0) throw new Error(`team create failed: ${output}`);
  return JSON.parse(output) as { teamId: string; inviteCode: string };
}
