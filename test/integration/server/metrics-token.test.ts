/** /metrics is open by default (loopback) and needs a bearer token once PIZHU_METRICS_TOKEN is set. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers.ts';

describe('metrics access', () => {
  let open: TestServer;
  let guarded: TestServer;

  beforeAll(async () => {
    [open, guarded] = await Promise.all([startTestServer(), startTestServer({ metricsToken: 's3cret-metrics' })]);
  });

  afterAll(async () => {
    await Promise.all([open?.cleanup(), guarded?.cleanup()]);
  });

  it('serves Prometheus text without a token when none is configured', async () => {
    const response = await fetch(`${open.url}/metrics`);
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/^# (HELP|TYPE) /m);
  });

  it('refuses a missing or wrong token with 401 and accepts the right one', async () => {
    expect((await fetch(`${guarded.url}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${guarded.url}/metrics`, { headers: { authorization: 'Bearer s3cret-metricz' } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({
      error: { code: 'unauthorized', message: expect.stringContaining('PIZHU_METRICS_TOKEN') },
    });
    const right = await fetch(`${guarded.url}/metrics`, { headers: { authorization: 'Bearer s3cret-metrics' } });
    expect(right.status).toBe(200);
  });
});
