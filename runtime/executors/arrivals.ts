/**
 * Arrival schedules for the arrival-rate executors. Pure: given the rate profile, the process and
 * a seed, yields planned start offsets (ms from the scenario's start), lazily.
 *
 * Method (time rescaling): the rate profile r(t) defines the expected count N(t) = ∫ r. Arrivals
 * are points of a unit-rate process in N-space mapped back through N⁻¹:
 *  - constant: N = 0, 1, 2, ... (the first iteration starts at t = 0, as in k6)
 *  - poisson:  N gaps ~ Exponential(1)
 *  - gamma(k): N gaps ~ Gamma(k, 1/k) (mean 1; k = 1 is Poisson, k < 1 burstier, k > 1 smoother;
 *              vLLM's "burstiness")
 * Offsets are absolute, so a long run never drifts, and a ramp gets the exact arrivals of its
 * time-varying rate.
 */
import { exp1, gammaMean1, mulberry32 } from './rng.ts';
import type { ArrivalProcess, Stage } from './types.ts';

/** A rate profile: piecewise-linear rate in arrivals per ms. */
interface Segment {
  t0: number;
  dur: number;
  r0: number;
  r1: number;
  n0: number;
  n: number;
}

export function rateProfile(startRate: number, stages: Stage[], timeUnitMs: number): Segment[] {
  const segs: Segment[] = [];
  let t = 0;
  let n = 0;
  let r = startRate / timeUnitMs;
  for (const st of stages) {
    const r1 = st.target / timeUnitMs;
    const count = ((r + r1) / 2) * st.durationMs;
    segs.push({ t0: t, dur: st.durationMs, r0: r, r1, n0: n, n: count });
    t += st.durationMs;
    n += count;
    r = r1;
  }
  return segs;
}

/** Expected arrivals over the whole profile. */
export function expectedCount(segs: Segment[]): number {
  const last = segs[segs.length - 1];
  return last ? last.n0 + last.n : 0;
}

/** N⁻¹: the time at which the expected count reaches `target`, or null past the end. */
export function timeForCount(segs: Segment[], target: number, hint = { i: 0 }): number | null {
  for (let i = hint.i; i < segs.length; i++) {
    const s = segs[i]!;
    if (target > s.n0 + s.n + 1e-9) continue;
    hint.i = i;
    const dn = Math.max(0, target - s.n0);
    if (dn === 0) return s.t0;
    const a = (s.r1 - s.r0) / (2 * s.dur);
    const b = s.r0;
    // a τ² + b τ - dn = 0, numerically stable for any sign of a
    const disc = Math.max(0, b * b + 4 * a * dn);
    const tau = b + Math.sqrt(disc) === 0 ? 0 : (2 * dn) / (b + Math.sqrt(disc));
    return s.t0 + Math.min(s.dur, tau);
  }
  return null;
}

export function* arrivalOffsets(segs: Segment[], process: ArrivalProcess, seed: number): Generator<number> {
  const rng = mulberry32(seed);
  const total = expectedCount(segs);
  const hint = { i: 0 };
  let n = process === 'constant' ? 0 : nextGap(process, rng);
  while (n < total - 1e-9) {
    const t = timeForCount(segs, n, hint);
    if (t === null) return;
    yield t;
    n += process === 'constant' ? 1 : nextGap(process, rng);
  }
}

function nextGap(p: ArrivalProcess, rng: () => number): number {
  if (p === 'poisson') return exp1(rng);
  if (typeof p === 'object') return gammaMean1(rng, p.gamma);
  return 1;
}

export function describeArrival(p: ArrivalProcess): string {
  if (p === 'constant') return 'evenly spaced';
  if (p === 'poisson') return 'Poisson';
  return `gamma (burstiness ${p.gamma})`;
}
