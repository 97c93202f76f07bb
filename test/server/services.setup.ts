// Vitest global setup of the integration-postgres project: one PostgreSQL and one Redis for the whole run
// (scripts/services.mjs), handed to the tests with `inject('services')`; every test server gets a fresh database.
import type { TestProject } from 'vitest/node';
import { startServices } from '../../scripts/services.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    services: { databaseUrl: string; redisUrl: string };
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const services = await startServices();
  project.provide('services', { databaseUrl: services.databaseUrl, redisUrl: services.redisUrl });
  return () => services.stop();
}
