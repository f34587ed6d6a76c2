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
 * background, as k6 does. With `queue`, such an arrival waits instead (first come, first served) and
 * starts on the next VU that frees up or is initialised: the wait is reported as the request's
 * `queuedMs` (llm_queue_wait), not as schedule lag, as evalscope's `--rate` with `--parallel` does.
 * Lateness is recorded by the engine as llm_schedule_lag. With `maxIterations` > 0 the scenario ends
 * once that many arrivals have started or queued (dropped arrivals don't count). Arrivals still
 * queued when the scenario must stop starting iterations are counted as dropped, and so are those
 * whose time had come but that a late loop never reached before the stop (a busy machine): every
 * arrival planned before the stop either starts or is counted as dropped.
 */
export async function runArrivals(ctx: ExecutorContext, offsets: Iterable<number>, durationMs: number, maxVUs: number, maxIterations = 0, queue = false): Promise<void> {
  const start = ctx.config.startTimeMs;
  const idle: VuHandle[] = [...ctx.vus].reverse();
  const waiting: number[] = [];
  let allocated = idle.length;
  let pending = 0;
  const running = new Set<Promise<void>>();
  const allocating = new Set<Promise<void>>();
  let started = 0;
  const launch = (vu: VuHandle, planned: number, queuedMs?: number) => {
    ctx.activeVUs(1);
    const p: Promise<void> = ctx.iterate(vu, queuedMs === undefined ? { plannedStart: planned } : { plannedStart: planned, queuedMs }).then(() => {
      ctx.activeVUs(-1);
      running.delete(p);
      release(vu);
    });
    running.add(p);
  };
  // a VU that frees up (or arrives) takes the oldest queued arrival, else waits idle
  const release = (vu: VuHandle) => {
    const planned = waiting.length && !ctx.stopNew.aborted ? waiting.shift() : undefined;
    if (planned === undefined) idle.push(vu);
    else launch(vu, planned, Math.max(0, ctx.now() - planned));
  };
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
        release(vu);
      }
    });
    allocating.add(p);
  };
  const it = offsets[Symbol.iterator]();
  /** arrivals from `first` on that were due by now (and within the duration): never started */
  const overdue = (first: number): number => {
    const now = ctx.now();
    let n = 0;
    for (let off = first; off < durationMs && start + off <= now; ) {
      n++;
      const r = it.next();
      if (r.done) break;
      off = r.value;
    }
    return n;
  };
  for (let r = it.next(); !r.done; r = it.next()) {
    const off = r.value;
    if (off >= durationMs) break;
    const planned = start + off;
    if (!(await ctx.sleepUntil(planned)) || ctx.stopNew.aborted) {
      if (!maxIterations || started < maxIterations) {
        const n = overdue(off);
        if (n) ctx.dropped(n);
      }
      break;
    }
    if (!maxIterations) ctx.setProgress(off / durationMs);
    const vu = idle.pop();
    if (vu) launch(vu, planned);
    else if (queue) {
      waiting.push(planned);
      grow();
    } else {
      ctx.dropped(1);
      grow();
      continue;
    }
    if (maxIterations > 0) {
      ctx.setProgress(++started / maxIterations);
      if (started >= maxIterations) break;
    }
  }
  if (!ctx.stopNew.aborted && !(maxIterations > 0 && started >= maxIterations)) await ctx.sleepUntil(start + durationMs);
  ctx.setProgress(1);
  // queued arrivals start as iterations end, so wait until nothing runs any more
  while (running.size > 0) await Promise.all([...running]);
  await Promise.all(allocating);
  if (waiting.length) {
    ctx.dropped(waiting.length);
    waiting.length = 0;
  }
}

export function fmt(ms: number): string {
  return formatDuration(ms);
}
