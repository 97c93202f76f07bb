/**
 * PostgreSQL and Redis for a test file: started once per file by scripts/services.mjs (real servers from
 * Debian's packages), a fresh database for each caller that needs a clean one, stopped in afterAll.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { type Services, startServices } from '../../scripts/services.mjs';

export type { Services };

let running: Promise<Services> | null = null;
let users = 0;

/** Starts the services for this test file (once); pair every call with `releaseServices()`. */
export function acquireServices(): Promise<Services> {
  users++;
  running ??= startServices();
  return running;
}

export async function releaseServices(): Promise<void> {
  users--;
  if (users > 0 || !running) return;
  const services = await running;
  running = null;
  await services.stop();
}

/** Creates an empty database next to the one in `databaseUrl` and returns its URL. */
export async function freshDatabase(databaseUrl: string): Promise<string> {
  const name = `pizhu_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
