#!/usr/bin/env node
// `npm test`: checks the machine has what the tests need (browsers, fonts, PostgreSQL, Redis), lints, checks the
// import rules, type-checks, builds the server and the extension for Chrome and Firefox, then runs every vitest
// project (unit, integration, integration-postgres, e2e) and writes a JSON report for CI.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { checkBrowserPrerequisites, checkServicePrerequisites } from './prerequisites.mjs';

function run(label, command, args) {
  console.log(`\n▶ ${label}`);
  const result = spawnSync(command, args, { stdio: 'inherit', shell: false });
  if (result.status !== 0) {
    console.error(`\n✖ ${label} failed (exit ${result.status ?? result.signal}).`);
    process.exit(result.status || 1);
  }
}

const problems = [...checkBrowserPrerequisites(), ...checkServicePrerequisites()];
if (problems.length) {
  console.error('The tests need browsers, fonts and servers this machine lacks:');
  for (const p of problems) console.error(`  - ${p}`);
  console.error(
    '\nOn Debian or Ubuntu install them with:\n' +
      '  sudo apt-get install -y chromium firefox-esr fonts-noto-cjk postgresql redis-server\n',
  );
  process.exit(1);
}

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
run('Generate WXT types', npx, ['wxt', 'prepare']);
run('Lint and format check (Biome)', npx, ['biome', 'check', '.']);
run('Import rules: no cycles, layering, screens read through the store', npm, ['run', '-s', 'check:imports']);
run('Type-check, one project per runtime', npx, ['tsc', '-b']);
run('Build the server (dist/server)', process.execPath, ['scripts/build-server.mjs']);
run('Build the Chrome extension', npx, ['wxt', 'build']);
run('Build the Firefox extension', npx, ['wxt', 'build', '-b', 'firefox']);
mkdirSync('test-results', { recursive: true });
// The projects run one after another (2-core machines: browsers and servers must not starve each other), each
// writing its own JSON report; every project runs even when an earlier one failed, so one run shows everything.
const extra = process.argv.slice(2);
let failed = false;
for (const project of ['unit', 'integration', 'integration-postgres', 'e2e']) {
  console.log(`\n▶ Tests: ${project}`);
  const result = spawnSync(
    npx,
    [
      'vitest',
      'run',
      '--project',
      project,
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=test-results/${project}.json`,
      ...extra,
    ],
    { stdio: 'inherit' },
  );
  if (result.status !== 0) {
    failed = true;
    console.error(`\n✖ ${project} tests failed.`);
  }
}
process.exit(failed ? 1 : 0);
