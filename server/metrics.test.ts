import { describe, expect, it } from 'vitest';
import { Metrics } from './metrics.ts';

describe('Metrics', () => {
  it('keeps each instance its own counters (servers in one process never share them)', async () => {
    const first = new Metrics();
    const second = new Metrics();
    first.reject('not_allowed');
    first.reject('not_allowed');
    first.countUpdate(10);
    expect(await first.value('pizhu_rejected_messages_total', { reason: 'not_allowed' })).toBe(2);
    expect(await second.value('pizhu_rejected_messages_total', { reason: 'not_allowed' })).toBe(0);
    expect(await second.value('pizhu_updates_total')).toBe(0);
    expect(await second.render()).not.toMatch(/pizhu_rejected_messages_total\{reason="not_allowed"\}/);
  });

  it('renders counters by label, histograms, gauges read at scrape time and the process metrics', async () => {
    const metrics = new Metrics();
    let rooms = 3;
    metrics.gauge('pizhu_rooms_loaded', 'Rooms held in memory.', () => rooms);
    metrics.gauge('pizhu_broken', 'A read that fails.', () => {
      throw new Error('no');
    });
    metrics.refuseUpgrade(403);
    metrics.refuseConnection('per_address');
    metrics.observeAppend(0.0002);
    metrics.observeFanout(0.003);
    rooms = 4;
    const text = await metrics.render();
    expect(text).toMatch(/^pizhu_rooms_loaded 4$/m);
    expect(text).toMatch(/^pizhu_broken nan$/im);
    expect(text).toMatch(/^pizhu_upgrades_refused_total\{status="403"\} 1$/m);
    expect(text).toMatch(/^pizhu_connections_refused_total\{reason="per_address"\} 1$/m);
    expect(text).toMatch(/^pizhu_append_seconds_bucket\{le="0.00025"\} 1$/m);
    expect(text).toMatch(/^pizhu_fanout_seconds_count 1$/m);
    for (const name of [
      'nodejs_eventloop_lag_max_seconds',
      'nodejs_gc_duration_seconds',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(text).toContain(`# TYPE ${name}`);
    }
  });

  it('reports updates per second over the last ten seconds', () => {
    let now = 100_000;
    const metrics = new Metrics(() => now);
    for (let i = 0; i < 20; i++) metrics.countUpdate(1);
    expect(metrics.updatesPerSecond()).toBe(2);
    now += 11_000;
    expect(metrics.updatesPerSecond()).toBe(0);
  });
});
