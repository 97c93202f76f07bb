/**
 * The README's example nginx configuration ("Scale out"), run by a real nginx (Debian package `nginx`) in front
 * of real instances: the block is read from README.md as a user would copy it, and only what names the machine
 * changes (the three instance addresses become the instances' loopback ports, `listen 443 ssl` a free loopback
 * port without TLS). A README that drifts from what works fails the tests that use this.
 */
import { spawn } from 'node:child_process';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { nginxPath } from '../../../scripts/prerequisites.mjs';
import { freePort } from '../../../scripts/services.mjs';
import { tempDir, waitFor } from '../server/helpers.ts';

export type NginxProxy = { url: string; wsUrl: string; stop(): Promise<void> };

const README = path.resolve(import.meta.dirname, '../../../README.md');

/** The README's nginx block with its instance addresses and listen line put on this machine. */
export function readmeNginxConfig(instancePorts: readonly number[], listenPort: number): string {
  const block = /```nginx\n([\s\S]*?)```/.exec(readFileSync(README, 'utf8'))?.[1];
  if (!block) throw new Error('README.md has no ```nginx block');
  const addresses = [...new Set([...block.matchAll(/server (\d+\.\d+\.\d+\.\d+:\d+)/g)].map((m) => m[1]!))];
  if (addresses.length !== instancePorts.length) {
    throw new Error(
      `the README's nginx block names ${addresses.length} instances, the test runs ${instancePorts.length}`,
    );
  }
  if (!block.includes('listen 443 ssl;')) throw new Error("the README's nginx block no longer listens on 443 ssl");
  let config = block.replace('listen 443 ssl;', `listen 127.0.0.1:${listenPort};`);
  for (const [i, address] of addresses.entries()) {
    config = config.replaceAll(`server ${address}`, `server 127.0.0.1:${instancePorts[i]}`);
  }
  return config;
}

/** Starts nginx in a folder of its own with the README's configuration in front of `instances`. */
export async function startReadmeNginx(instances: readonly { url: string }[]): Promise<NginxProxy> {
  const dir = tempDir('pizhu-nginx-');
  // Worker processes run as "nobody" when the master is root: they write their temporary files here.
  chmodSync(dir, 0o777);
  const port = await freePort();
  const server = readmeNginxConfig(
    instances.map((instance) => Number(new URL(instance.url).port)),
    port,
  );
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((kind) => `  ${kind}_temp_path ${path.join(dir, kind)};`)
    .join('\n');
  writeFileSync(
    path.join(dir, 'nginx.conf'),
    `daemon off;\nworker_processes 1;\npid ${path.join(dir, 'nginx.pid')};\nevents {}\n` +
      `http {\n  access_log off;\n${temp}\n${server}\n}\n`,
  );
  const nginx = nginxPath();
  if (!nginx) throw new Error('nginx is not installed (Debian package "nginx", or set NGINX_PATH)');
  const child = spawn(nginx, ['-p', dir, '-e', path.join(dir, 'error.log'), '-c', path.join(dir, 'nginx.conf')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`nginx exited:\n${output}${errorLog(dir)}`);
      return fetch(`${url}/health`).then(
        (res) => res.ok,
        () => false,
      );
    },
    10_000,
    'nginx did not answer',
  );
  return {
    url,
    wsUrl: `ws://127.0.0.1:${port}/sync`,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGQUIT');
        await new Promise((r) => child.once('exit', r));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function errorLog(dir: string): string {
  try {
    return readFileSync(path.join(dir, 'error.log'), 'utf8');
  } catch {
    return '';
  }
}
