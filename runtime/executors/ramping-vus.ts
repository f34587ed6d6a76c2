/** ramping-vus: the number of looping VUs follows linear stages (closed loop). */
import { fmt, vuLoop } from './loop.ts';
import type { ExecutorDef, RampingVusConfig, Stage } from './types.ts';

/**
 * Pure: the times (ms from scenario start) at which the active VU count changes, and the count
 * from then on. Within a stage from a to b over d, the count moves by one each time the linear
 * interpolation crosses an integer, as in k6.
 */
export function rampingVuSteps(startVUs: number, stages: Stage[]): Array<{ t: number; vus: number }> {
  const steps: Array<{ t: number; vus: number }> = [{ t: 0, vus: startVUs }];
  let t = 0;
  let cur = startVUs;
  for (const st of stages) {
    const a = cur;
    const b = Math.round(st.target);
    if (st.durationMs === 0) {
      if (b !== a) steps.push({ t, vus: b });
    } else if (b > a) {
      for (let i = a + 1; i <= b; i++) steps.push({ t: t + (st.durationMs * (i - a)) / (b - a), vus: i });
    } else if (b < a) {
      for (let i = a - 1; i >= b; i--) steps.push({ t: t + (st.durationMs * (a - i)) / (a - b), vus: i });
    }
    t += st.durationMs;
    cur = b;
  }
  return steps;
}

export const rampingVus: ExecutorDef<RampingVusConfig> = {
  parse(raw, common, f) {
    f.only(['startVUs', 'stages', 'gracefulRampDown']);
    return {
      ...common,
      executor: 'ramping-vus',
      startVUs: f.int('startVUs', 1, 0),
      stages: f.stages('stages'),
      gracefulRampDownMs: f.duration('gracefulRampDown', '30s'),
    };
  },
  plan(c) {
    const max = Math.max(c.startVUs, ...c.stages.map((s) => Math.round(s.target)));
    const dur = c.stages.reduce((a, s) => a + s.durationMs, 0);
    return {
      preAllocatedVUs: max,
      maxVUs: max,
      durationMs: dur,
      iterations: null,
      description: `Up to ${max} looping VUs for ${fmt(dur)} over ${c.stages.length} stage${c.stages.length === 1 ? '' : 's'} (gracefulRampDown: ${fmt(c.gracefulRampDownMs)}, gracefulStop: ${fmt(c.gracefulStopMs)})`,
    };
  },
  async run(c, ctx) {
    const steps = rampingVuSteps(c.startVUs, c.stages);
    const dur = c.stages.reduce((a, s) => a + s.durationMs, 0);
    const loops = new Map<number, { stop: AbortController; interrupt: AbortController; done: Promise<void>; timer?: NodeJS.Timeout }>();
    const all: Promise<void>[] = [];
    const setActive = (n: number) => {
      // start VUs [0, n), stop VUs [n, ...) (the newest go first)
      for (let i = 0; i < ctx.vus.length; i++) {
        const cur = loops.get(i);
        if (i < n && !cur) {
          const stop = new AbortController();
          const interrupt = new AbortController();
          const done = vuLoop(ctx, ctx.vus[i]!, () => true, { stop: stop.signal, interrupt: interrupt.signal });
          loops.set(i, { stop, interrupt, done });
          all.push(done);
          void done.then(() => {
            const l = loops.get(i);
            if (l && l.stop === stop) {
              if (l.timer) clearTimeout(l.timer);
              loops.delete(i);
            }
          });
        } else if (i >= n && cur && !cur.stop.signal.aborted) {
          // finish the current iteration; interrupt it after gracefulRampDown
          cur.stop.abort();
          cur.timer = setTimeout(() => cur.interrupt.abort(), c.gracefulRampDownMs);
        }
      }
    };
    for (const s of steps) {
      if (!(await ctx.sleepUntil(c.startTimeMs + s.t)) || ctx.stopNew.aborted) break;
      ctx.setProgress(dur ? s.t / dur : 1);
      setActive(s.vus);
    }
    if (!ctx.stopNew.aborted) await ctx.sleepUntil(c.startTimeMs + dur);
    ctx.setProgress(1);
    await Promise.all(all);
  },
};
