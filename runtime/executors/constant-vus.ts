/** constant-vus: a fixed number of VUs loop for a duration (closed loop). */
import { fmt, vuLoop } from './loop.ts';
import type { ConstantVusConfig, ExecutorDef } from './types.ts';

export const constantVus: ExecutorDef<ConstantVusConfig> = {
  parse(raw, common, f) {
    f.only(['vus', 'duration']);
    return { ...common, executor: 'constant-vus', vus: f.int('vus', 1, 1), durationMs: f.duration('duration') };
  },
  plan(c) {
    return {
      preAllocatedVUs: c.vus,
      maxVUs: c.vus,
      durationMs: c.durationMs,
      iterations: null,
      description: `${c.vus} looping VUs for ${fmt(c.durationMs)} (gracefulStop: ${fmt(c.gracefulStopMs)})`,
    };
  },
  async run(c, ctx) {
    const t = setInterval(() => ctx.setProgress(Math.min(1, (ctx.now() - c.startTimeMs) / c.durationMs)), 250);
    try {
      await Promise.all(ctx.vus.map((vu) => vuLoop(ctx, vu, () => true)));
    } finally {
      clearInterval(t);
    }
  },
};
