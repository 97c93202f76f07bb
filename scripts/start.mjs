#!/usr/bin/env node
// `npm start`: builds the Chrome extension into .output/chrome-mv3, then runs the sync server (SQLite in
// DATA_DIR, default ./data). The server prints the next steps: where to load the extension, its URL, the
// first team's invite code, and the demo notice to try.
import { spawn, spawnSync } from 'node:child_process';

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
console.log('▶ Building the Chrome extension into .output/chrome-mv3 …');
const build = spawnSync(npx, ['wxt', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] });
if (build.status !== 0) {
  console.error('✖ The extension build failed (see above). Try `npm install` again.');
  process.exit(build.status || 1);
}
console.log('✔ Extension built.\n');

// The same command as `npm run server` (see server/README.md, "Latency and garbage collection").
const serverArgs = ['--expose-gc', '--max-semi-space-size=1', '--import', 'tsx', 'server/main.ts'];
const server = spawn(process.execPath, serverArgs, { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
