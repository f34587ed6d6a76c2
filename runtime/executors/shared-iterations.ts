/** shared-iterations: a fixed number of iterations shared among VUs; fast VUs do more. */
import { fmt, vuLoop } from './loop.ts';
import type { ExecutorDef, SharedIterationsConfig } from './types.ts';

export const sharedIterations: ExecutorDef<SharedIterationsConfig> = {
  parse(raw, common, f) {
    f.only(['vus', 'iterations', 'maxDuration']);
    const vus = f.int('vus', 1, 1);
    const iterations = f.int('iterations', 1, 1);
    return { ...common, executor: 'shared-iterations', vus: Math.min(vus, iterations), iterations, maxDurationMs: f.duration('maxDuration', '10m') };
  },
  plan(c) {
    return {
      preAllocatedVUs: c.vus,
      maxVUs: c.vus,
      durationMs: c.maxDurationMs,
      iterations: c.iterations,
      description: `${c.iterations} iterations shared among ${c.vus} VUs (maxDuration: ${fmt(c.maxDurationMs)}, gracefulStop: ${fmt(c.gracefulStopMs)})`,
    };
  },
  async run(c, ctx) {
    let started = 0;
    let done = 0;
    await Promise.all(
      ctx.vus.map((vu) =>
        vuLoop(
          ctx,
          vu,
          () => (started < c.iterations ? (started++, true) : false),
          { after: () => ctx.setProgress(++done / c.iterations) },
        ),
      ),
    );
  },
};
