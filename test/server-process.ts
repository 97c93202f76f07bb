/**
 * The server as users run it: `node dist/server/main.js [command]` (built by scripts/build-server.mjs, which
 * the integration and e2e projects run first). For the tests that start, kill and restart the process.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { SERVER_MAIN } from '../scripts/build-server.mjs';

export { SERVER_MAIN };

export type ServerProcess = {
  child: ChildProcess;
  /** http://127.0.0.1:<port> once it listens. */
  url: string;
  wsUrl: string;
  /** Everything it printed so far (stdout and stderr). */
  output: () => string;
};

/** Starts `node dist/server/main.js` with this environment and waits until it listens (or throws with its output). */
export async function startServerProcess(env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<ServerProcess> {
  const child = spawnServer(env);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = /listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(child.output());
    if (match) return { ...child, url: match[1]!, wsUrl: `ws://127.0.0.1:${match[2]}/sync` };
    if (child.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`the server did not start:\n${child.output()}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Spawns the server without waiting for anything (PORT 0 and loopback unless the environment says otherwise). */
export function spawnServer(env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [SERVER_MAIN], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  return { child, output: () => output };
}

/** Runs an admin command (`node dist/server/main.js <args>`) on a data folder; returns its stdout. */
export function serverCli(dataDir: string, args: string[]): string {
  const result = spawnSync(process.execPath, [SERVER_MAIN, ...args], {
    env: { ...process.env, DATA_DIR: dataDir },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`server ${args.join(' ')} failed: ${result.stderr || result.stdout}`);
  return result.stdout;
}

/** Resolves with the exit code once the process has exited. */
export function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((r) => child.once('exit', (code) => r(code)));
}
