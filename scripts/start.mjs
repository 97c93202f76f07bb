#!/usr/bin/env node
// `npm start`: builds the Chrome extension into .output/chrome-mv3 and the server into dist/server, then runs
// the server with plain node (SQLite in DATA_DIR, default ./data), as `npm run server` does. The server prints
// the next steps: where to load the extension, its URL, the first team's invite code, and the demo notice.
import { spawn, spawnSync } from 'node:child_process';
import { buildServer, SERVER_MAIN } from './build-server.mjs';

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
console.log('▶ Building the Chrome extension into .output/chrome-mv3 …');
const build = spawnSync(npx, ['wxt', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] });
if (build.status !== 0) {
  console.error('✖ The extension build failed (see above). Try `npm install` again.');
  process.exit(build.status || 1);
}
try {
  await buildServer();
} catch (error) {
  console.error(`✖ The server build failed: ${error.message}`);
  process.exit(1);
}
console.log('✔ Extension and server built.\n');

const server = spawn(process.execPath, [SERVER_MAIN], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
