#!/usr/bin/env node
// Builds the sync server to plain JavaScript in dist/server (esbuild: one ES module per entry, shared code in
// chunks, packages left to node_modules), so `npm start`, `npm run server` and the process-level tests run it
// with plain `node`. Only files whose content changed are written, each through a rename, so a server started
// from dist/ never reads a half-written file. Silent on success: `npm run server -- team create x --json`
// prints JSON only.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SERVER_DIST = path.join(ROOT, 'dist/server');
/** What users run: `node dist/server/main.js [command]`. */
export const SERVER_MAIN = path.join(SERVER_DIST, 'main.js');

export async function buildServer() {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: { main: 'server/main.ts', index: 'server/index.ts' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    outdir: SERVER_DIST,
    write: false,
    logLevel: 'silent',
  });
  mkdirSync(SERVER_DIST, { recursive: true });
  const wanted = new Set();
  for (const file of result.outputFiles) {
    wanted.add(path.basename(file.path));
    if (sameContent(file.path, file.contents)) continue;
    const temporary = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temporary, file.contents);
    renameSync(temporary, file.path);
  }
  for (const name of readdirSync(SERVER_DIST)) {
    if (!wanted.has(name) && !name.endsWith('.tmp')) rmSync(path.join(SERVER_DIST, name), { force: true });
  }
  // The app reads the demo notice from `../demo/` next to its module, as server/http/app.ts does in the sources.
  const demo = path.join(ROOT, 'dist/demo');
  mkdirSync(demo, { recursive: true });
  for (const name of readdirSync(path.join(ROOT, 'server/demo'))) {
    copyFileSync(path.join(ROOT, 'server/demo', name), path.join(demo, name));
  }
}

function sameContent(file, contents) {
  try {
    return Buffer.compare(readFileSync(file), contents) === 0;
  } catch {
    return false;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    await buildServer();
  } catch (error) {
    console.error(`Building the server failed: ${error.message}`);
    process.exit(1);
  }
}
