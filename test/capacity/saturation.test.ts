// The saturation detector on synthetic open-loop streams.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SaturationDetector } from '../../runtime/sweep/saturation.ts';

/** Drives a detector with `rate` arrivals/s whose TTFT and in-flight follow `model(t)`; returns when it fired (ms) or null. */
function drive(durationMs: number, rate: number, serve: (t: number) => { ttft: number; serviceMs: number }): { at: number | null; why: string | null } {
  const d = new SaturationDetector(0);
  const ends: number[] = [];
  for (let t = 0; t <= durationMs; t += 10) {
    for (let i = 0; i < (rate * 10) / 1000; i++) {
      d.iterationStarted(t);
      const s = serve(t);
      ends.push(t + s.serviceMs);
      d.ttft(t + s.ttft, s.ttft);
    }
    ends.sort((a, b) => a - b);
    while (ends.length && ends[0]! <= t) {
      ends.shift();
      d.iterationEnded(t);
    }
    const why = d.check(t);
    if (why) return { at: t, why };
  }
  return { at: null, why: null };
}

test('a stable level is not saturated (even with a slow start and noisy TTFT)', () => {
  let n = 0;
  const r = drive(10_000, 100, (t) => ({ ttft: (t < 300 ? 80 : 50) + ((n++ * 37) % 20), serviceMs: 120 }));
  assert.deepEqual(r, { at: null, why: null });
});

test('queue and TTFT growing without bound: saturated within a few seconds', () => {
  // a server that falls further behind every second: TTFT grows by 0.5 s per second
  const r = drive(20_000, 100, (t) => ({ ttft: 50 + t / 2, serviceMs: 100 + t / 2 }));
  assert.ok(r.at !== null && r.at >= 2000 && r.at <= 5000, `fired at ${r.at}`);
  assert.match(r.why!, /^saturated: in-flight requests \d+ → \d+ and TTFT \d+ → \d+ ms/);
});

test('arrivals dropped for want of VUs: saturated', () => {
  const d = new SaturationDetector(0);
  for (let i = 0; i < 100; i++) d.iterationStarted(i);
  d.arrivalsDropped(150, 3);
  assert.equal(d.check(200), null); // 3 drops: not yet
  d.arrivalsDropped(250, 5);
  assert.match(d.check(300) ?? '', /saturated: 8 of 108 arrivals dropped/);
});
