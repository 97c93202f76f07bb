// What the end-to-end tests need from the machine: a Chromium binary and a CJK font (without one, Chinese
// renders as boxes and screenshots are useless). Returns readable problems, empty when all is there.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

export function chromiumPath() {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((p) => p && existsSync(p)) ?? null;
}

export function checkBrowserPrerequisites() {
  const problems = [];
  if (!chromiumPath()) problems.push('Chromium is not installed (looked at $CHROMIUM_PATH, /usr/bin/chromium).');
  const fonts = spawnSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' });
  if (fonts.error || !fonts.stdout.trim()) problems.push('No Chinese (CJK) font is installed.');
  return problems;
}
