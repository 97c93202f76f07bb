// What the end-to-end tests need from the machine: Chromium, Firefox (142 or newer: Manifest V3 with data
// collection consent; Debian's firefox-esr) and a CJK font (without one, Chinese renders as boxes and screenshots
// are useless). Returns readable problems, empty when all is there.
import { existsSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

export function chromiumPath() {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((p) => p && existsSync(p)) ?? null;
}

export function firefoxPath() {
  const candidates = [process.env.FIREFOX_PATH, '/usr/bin/firefox-esr', '/usr/bin/firefox'];
  return candidates.find((p) => p && existsSync(p)) ?? null;
}

export function checkBrowserPrerequisites() {
  const problems = [];
  if (!chromiumPath()) problems.push('Chromium is not installed (looked at $CHROMIUM_PATH, /usr/bin/chromium).');
  if (!firefoxPath()) {
    problems.push('Firefox is not installed (looked at $FIREFOX_PATH, /usr/bin/firefox-esr, /usr/bin/firefox).');
  }
  const fonts = spawnSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' });
  if (fonts.error || !fonts.stdout.trim()) problems.push('No Chinese (CJK) font is installed.');
  return problems;
}

/** nginx, for the test of the README's reverse-proxy configuration. */
export function nginxPath() {
  const candidates = [process.env.NGINX_PATH, '/usr/sbin/nginx'];
  return candidates.find((p) => p && existsSync(p)) ?? null;
}

/**
 * The scale-out tests run a throwaway PostgreSQL and Redis (scripts/services.mjs) from Debian's packages, and
 * nginx in front of them.
 */
export function checkServicePrerequisites() {
  const problems = [];
  const base = '/usr/lib/postgresql';
  const postgres = existsSync(base) && readdirSync(base).some((v) => existsSync(`${base}/${v}/bin/pg_ctl`));
  if (!postgres) problems.push('PostgreSQL is not installed (looked for /usr/lib/postgresql/*/bin/pg_ctl).');
  if (spawnSync('redis-server', ['--version']).error) problems.push('Redis (redis-server) is not installed.');
  if (!nginxPath()) problems.push('nginx is not installed (looked at $NGINX_PATH, /usr/sbin/nginx).');
  return problems;
}
