/** constant-arrival-rate: iterations start at a fixed rate (open loop), whatever the response times. */
import { arrivalOffsets, describeArrival, rateProfile } from './arrivals.ts';
import { fmt, runArrivals } from './loop.ts';
import { ownedCount, ownedOffsets } from './segment.ts';
import type { ConstantArrivalRateConfig, ExecutorDef } from './types.ts';

export function constantOffsets(c: ConstantArrivalRateConfig): Iterable<number> {
  return arrivalOffsets(rateProfile(c.rate, [{ durationMs: c.durationMs, target: c.rate }], c.timeUnitMs), c.arrival, c.seed);
}

export const constantArrivalRate: ExecutorDef<ConstantArrivalRateConfig> = {
  parse(raw, common, f) {
    f.only(['rate', 'timeUnit', 'duration', 'preAllocatedVUs', 'maxVUs', 'arrival', 'seed', 'iterations', 'queue']);
    const pre = f.int('preAllocatedVUs', undefined, 0);
    return {
      ...common,
      executor: 'constant-arrival-rate',
      rate: f.num('rate'),
      timeUnitMs: f.duration('timeUnit', '1s') || 1000,
      durationMs: f.duration('duration'),
      preAllocatedVUs: pre,
      maxVUs: Math.max(pre, f.int('maxVUs', pre, 0)),
      arrival: f.arrival(),
      seed: f.int('seed', 1, 0),
      iterations: f.int('iterations', 0, 0),
      queue: f.bool('queue', false),
    };
  },
  plan(c) {
    const perSec = (c.rate * 1000) / c.timeUnitMs;
    const n = c.iterations > 0 ? c.iterations : c.arrival === 'constant' ? ownedCount(Math.ceil((c.durationMs * c.rate) / c.timeUnitMs), c.segment) : null;
    const unit = c.timeUnitMs === 1000 ? 's' : fmt(c.timeUnitMs);
    return {
      preAllocatedVUs: c.preAllocatedVUs,
      maxVUs: c.maxVUs,
      durationMs: c.durationMs,
      iterations: n,
      description: `${c.arrival === 'constant' ? '' : describeArrival(c.arrival) + ' arrivals at '}${trim(c.rate)} iterations/${unit}${c.timeUnitMs !== 1000 ? ` (${trim(perSec)}/s)` : ''} for ${fmt(c.durationMs)}${c.iterations > 0 ? ` or until ${c.iterations} iterations have started` : ''} (${c.preAllocatedVUs}-${c.maxVUs} VUs${c.queue ? ', arrivals queue for a free VU' : ''}, gracefulStop: ${fmt(c.gracefulStopMs)})`,
    };
  },
  run(c, ctx) {
    return runArrivals(ctx, ownedOffsets(constantOffsets(c), c.segment), c.durationMs, c.maxVUs, c.iterations, c.queue);
  },
};

export function trim(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}
