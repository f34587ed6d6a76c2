/** per-vu-iterations: each VU runs exactly `iterations` iterations. */
import { fmt, vuLoop } from './loop.ts';
import type { ExecutorDef, PerVuIterationsConfig } from './types.ts';

export const perVuIterations: ExecutorDef<PerVuIterationsConfig> = {
  parse(raw, common, f) {
    f.only(['vus', 'iterations', 'maxDuration']);
    return { ...common, executor: 'per-vu-iterations', vus: f.int('vus', 1, 1), iterations: f.int('iterations', 1, 1), maxDurationMs: f.duration('maxDuration', '10m') };
  },
  plan(c) {
    return {
      preAllocatedVUs: c.vus,
      maxVUs: c.vus,
      durationMs: c.maxDurationMs,
      iterations: c.vus * c.iterations,
      description: `${c.iterations} iterations for each of ${c.vus} VUs (maxDuration: ${fmt(c.maxDurationMs)}, gracefulStop: ${fmt(c.gracefulStopMs)})`,
    };
  },
  async run(c, ctx) {
    const total = c.vus * c.iterations;
    let done = 0;
    await Promise.all(
      ctx.vus.map((vu) => {
        let n = 0;
        return vuLoop(
          ctx,
          vu,
          () => n++ < c.iterations,
          { after: () => ctx.setProgress(++done / total) },
        );
      }),
    );
  },
};
