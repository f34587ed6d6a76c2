/**
 * Arrival-rate executors with `queue: true` (what `llmperf perf --rate R --parallel P` uses, as
 * evalscope's semaphore does): an arrival that finds every VU busy waits for the next free one
 * instead of being dropped; its wait is reported as queuedMs (llm_queue_wait), not schedule lag.
 * Driven by a fake ExecutorContext on a virtual clock: deterministic, no real time.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runArrivals } from '../../runtime/executors/loop.ts';
import type { ExecutorContext, IterationRequest, VuHandle } from '../../runtime/executors/types.ts';

/** A virtual clock: sleepUntil resolves in time order; an iteration takes `iterMs` of virtual time. */
function fakeContext(vus: number, iterMs: number) {
  let now = 0;
  const timers: Array<{ t: number; resolve: () => void }> = [];
  const stopNew = new AbortController();
  const starts: Array<{ vu: number; at: number; req: IterationRequest }> = [];
  let dropped = 0;
  const wakeAt = (t: number) =>
    new Promise<void>((resolve) => {
      timers.push({ t, resolve });
      timers.sort((a, b) => a.t - b.t);
    });
  // advance virtual time whenever the loop is idle
  const pump = setInterval(() => {
    const next = timers.shift();
    if (next) {
      now = Math.max(now, next.t);
      next.resolve();
    }
  }, 0);
  const ctx: ExecutorContext = {
    config: { startTimeMs: 0 } as ExecutorContext['config'],
    now: () => now,
    sleepUntil: async (t) => {
      if (t > now) await wakeAt(t);
      return true;
    },
    stopNew: stopNew.signal,
    hardStop: new AbortController().signal,
    vus: Array.from({ length: vus }, (_v, i): VuHandle => ({ id: i + 1 })),
    allocateVU: async () => null,
    iterate: async (vu, req) => {
      starts.push({ vu: vu.id, at: now, req });
      await wakeAt(now + iterMs);
    },
    dropped: (n) => (dropped += n),
    activeVUs: () => undefined,
    setProgress: () => undefined,
  };
  return { ctx, starts, dropped: () => dropped, stop: () => clearInterval(pump) };
}

describe('arrival-rate executors: queue for a free VU', () => {
  // arrivals every 10 ms; 2 VUs; each iteration takes 50 ms: the VUs cap the throughput
  const offsets = Array.from({ length: 10 }, (_v, i) => i * 10);

  test('queue: every arrival runs, in arrival order, none dropped; the wait is queuedMs', async () => {
    const f = fakeContext(2, 50);
    try {
      await runArrivals(f.ctx, offsets, 1_000_000, 2, 10, true);
      assert.equal(f.starts.length, 10, 'all arrivals ran');
      assert.equal(f.dropped(), 0);
      assert.deepEqual(f.starts.map((s) => s.req.plannedStart), offsets, 'first come, first served');
      // the first two start on time; the third waits for the first VU (free at 50 ms): 30 ms queued
      assert.equal(f.starts[0]!.req.queuedMs, undefined);
      assert.equal(f.starts[1]!.req.queuedMs, undefined);
      assert.equal(f.starts[2]!.at, 50);
      assert.equal(f.starts[2]!.req.queuedMs, 30);
      for (const s of f.starts) {
        const lag = s.at - s.req.plannedStart! - (s.req.queuedMs ?? 0);
        assert.equal(lag, 0, 'the queue wait is not schedule lag');
      }
    } finally {
      f.stop();
    }
  });

  test('without queue (k6): arrivals that find no idle VU are dropped', async () => {
    const f = fakeContext(2, 50);
    try {
      await runArrivals(f.ctx, offsets, 100, 2, 0, false);
      assert.ok(f.dropped() > 0);
      assert.equal(f.starts.length + f.dropped(), 10);
      assert.ok(f.starts.every((s) => s.req.queuedMs === undefined));
    } finally {
      f.stop();
    }
  });
});
