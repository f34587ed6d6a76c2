/** Loops shared by the executors (the running side; plans stay pure). */
import { formatDuration } from '../options/duration.ts';
import type { ExecutorContext, VuHandle } from './types.ts';

/** Runs iterations on one VU while `more()` says so and no stop was requested. */
export async function vuLoop(
  ctx: ExecutorContext,
  vu: VuHandle,
  more: () => boolean,
  opts: { after?: () => void; stop?: AbortSignal; interrupt?: AbortSignal } = {},
): Promise<void> {
  const { after, stop, interrupt } = opts;
  ctx.activeVUs(1);
  try {
    while (!ctx.stopNew.aborted && !stop?.aborted && more()) {
      await ctx.iterate(vu, interrupt ? { plannedStart: null, signal: interrupt } : { plannedStart: null });
      after?.();
    }
  } finally {
    ctx.activeVUs(-1);
  }
}

/**
 * Open-loop runner: starts an iteration at every planned offset on an idle VU. With no idle VU the
 * iteration is dropped (dropped_iterations) and, below maxVUs, one more VU is initialised in the
 * background, as k6 does. Lateness is recorded by the engine as llm_schedule_lag. With `maxIterations`
 * > 0 the scenario ends once that many iterations have started (dropped arrivals don't count).
 */
export async function runArrivals(ctx: ExecutorContext, offsets: Iterable<number>, durationMs: number, maxVUs: number, maxIterations = 0): Promise<void> {
  const start = ctx.config.startTimeMs;
  const idle: VuHandle[] = [...ctx.vus].reverse();
  let allocated = idle.length;
  let pending = 0;
  const running = new Set<Promise<void>>();
  const allocating = new Set<Promise<void>>();
  let active = 0;
  let started = 0;
  const grow = () => {
    if (allocated + pending >= maxVUs) return;
    pending++;
    // allocateVU never rejects (a failure is reported and gives null); the scenario waits for it
    // before it ends, so no VU is still being created when the run closes its isolates
    const p: Promise<void> = ctx.allocateVU().then((vu) => {
      pending--;
      allocating.delete(p);
      if (vu) {
        allocated++;
        idle.push(vu);
      }
    });
    allocating.add(p);
  };
  for (const off of offsets) {
    if (off >= durationMs) break;
    const planned = start + off;
    if (!(await ctx.sleepUntil(planned)) || ctx.stopNew.aborted) break;
    if (!maxIterations) ctx.setProgress(off / durationMs);
    const vu = idle.pop();
    if (!vu) {
      ctx.dropped(1);
      grow();
      continue;
    }
    active++;
    ctx.activeVUs(1);
    const p: Promise<void> = ctx.iterate(vu, { plannedStart: planned }).then(() => {
      active--;
      ctx.activeVUs(-1);
      idle.push(vu);
      running.delete(p);
    });
    running.add(p);
    if (maxIterations > 0) {
      ctx.setProgress(++started / maxIterations);
      if (started >= maxIterations) break;
    }
  }
  if (!ctx.stopNew.aborted && !(maxIterations > 0 && started >= maxIterations)) await ctx.sleepUntil(start + durationMs);
  ctx.setProgress(1);
  await Promise.all(running);
  await Promise.all(allocating);
  void active;
}

export function fmt(ms: number): string {
  return formatDuration(ms);
}
