/** ramping-arrival-rate: the start rate follows linear stages (open loop). */
import { arrivalOffsets, describeArrival, expectedCount, rateProfile } from './arrivals.ts';
import { trim } from './constant-arrival-rate.ts';
import { fmt, runArrivals } from './loop.ts';
import { ownedCount, ownedOffsets } from './segment.ts';
import type { ExecutorDef, RampingArrivalRateConfig } from './types.ts';

export function rampingOffsets(c: RampingArrivalRateConfig): Iterable<number> {
  return arrivalOffsets(rateProfile(c.startRate, c.stages, c.timeUnitMs), c.arrival, c.seed);
}

export const rampingArrivalRate: ExecutorDef<RampingArrivalRateConfig> = {
  parse(raw, common, f) {
    f.only(['startRate', 'timeUnit', 'stages', 'preAllocatedVUs', 'maxVUs', 'arrival', 'seed', 'queue']);
    const pre = f.int('preAllocatedVUs', undefined, 0);
    return {
      ...common,
      executor: 'ramping-arrival-rate',
      startRate: f.num('startRate', 0),
      timeUnitMs: f.duration('timeUnit', '1s') || 1000,
      stages: f.stages('stages'),
      preAllocatedVUs: pre,
      maxVUs: Math.max(pre, f.int('maxVUs', pre, 0)),
      arrival: f.arrival(),
      seed: f.int('seed', 1, 0),
      queue: f.bool('queue', false),
    };
  },
  plan(c) {
    const dur = c.stages.reduce((a, s) => a + s.durationMs, 0);
    const peak = Math.max(c.startRate, ...c.stages.map((s) => s.target));
    const unit = c.timeUnitMs === 1000 ? 's' : fmt(c.timeUnitMs);
    return {
      preAllocatedVUs: c.preAllocatedVUs,
      maxVUs: c.maxVUs,
      durationMs: dur,
      iterations: c.arrival === 'constant' ? ownedCount(Math.ceil(expectedCount(rateProfile(c.startRate, c.stages, c.timeUnitMs))), c.segment) : null,
      description: `${c.arrival === 'constant' ? 'Up to' : describeArrival(c.arrival) + ' arrivals up to'} ${trim(peak)} iterations/${unit} for ${fmt(dur)} over ${c.stages.length} stage${c.stages.length === 1 ? '' : 's'} (${c.preAllocatedVUs}-${c.maxVUs} VUs${c.queue ? ', arrivals queue for a free VU' : ''}, gracefulStop: ${fmt(c.gracefulStopMs)})`,
    };
  },
  run(c, ctx) {
    const dur = c.stages.reduce((a, s) => a + s.durationMs, 0);
    return runArrivals(ctx, ownedOffsets(rampingOffsets(c), c.segment), dur, c.maxVUs, 0, c.queue);
  },
};
