/**
 * The capacity search: the largest load that meets every SLO.
 *
 *  1. bracket: measure min, 2·min, 4·min, ... (capped at max) until a level fails or max passes;
 *  2. bisect between the last passing and the first failing level until they are within the
 *     precision: an absolute step for concurrency (integers, default 1), a relative one for rate
 *     (default 0.05 = 5%);
 *  3. confirm: measure the answer again; if the repeat fails, the answer drops to the next lower
 *     passing level (bisecting again between it and the unconfirmed one), up to `confirmations` times.
 *
 * Pure apart from `measure` (which runs a level), so it is tested with a synthetic server.
 */
import { roundRate, type LoadKind } from './levels.ts';

export type SearchPhase = 'bracket' | 'bisect' | 'confirm';

export interface Measured {
  ok: boolean;
}

export interface SearchStep<M extends Measured> {
  phase: SearchPhase;
  value: number;
  result: M;
}

export interface SearchOptions {
  over: LoadKind;
  min: number;
  max: number;
  /** concurrency: absolute (default 1); rate: relative (default 0.05) */
  precision: number;
  /** repeat runs of the answer, the first and, if it failed, the lowered one (default 2; 0 = no confirmation) */
  confirmations?: number;
  /** stop early (SIGINT): the search returns what it has */
  stopped?: () => boolean;
}

export interface SearchResult<M extends Measured> {
  /** the largest load that met every SLO; null when even `min` failed */
  capacity: number | null;
  /** the capacity passed its repeat run */
  confirmed: boolean;
  /** max itself passed: the capacity is at least max */
  atMax: boolean;
  /** the smallest failing load above the capacity (null when none was measured) */
  firstFailure: SearchStep<M> | null;
  /** the measurement of the capacity (its confirmation run when there was one) */
  atCapacity: SearchStep<M> | null;
  steps: SearchStep<M>[];
  stopped: boolean;
}

export async function searchCapacity<M extends Measured>(o: SearchOptions, measure: (value: number, phase: SearchPhase) => Promise<M>): Promise<SearchResult<M>> {
  const steps: SearchStep<M>[] = [];
  const stopped = () => o.stopped?.() ?? false;
  const integer = o.over === 'concurrency';
  const norm = (v: number) => (integer ? Math.round(v) : roundRate(v));
  const step = async (value: number, phase: SearchPhase): Promise<SearchStep<M>> => {
    const s = { phase, value, result: await measure(value, phase) };
    steps.push(s);
    return s;
  };
  const done = (capacity: number | null, extra: Partial<SearchResult<M>> = {}): SearchResult<M> => ({
    capacity,
    confirmed: false,
    atMax: false,
    firstFailure: null,
    atCapacity: null,
    steps,
    stopped: stopped(),
    ...extra,
  });

  // 1. bracket
  let lo: SearchStep<M> | null = null;
  let hi: SearchStep<M> | null = null;
  let v = norm(o.min);
  for (;;) {
    if (stopped()) return done(lo?.value ?? null, { atCapacity: lo });
    const s = await step(v, 'bracket');
    if (!s.result.ok) {
      hi = s;
      break;
    }
    lo = s;
    if (v >= o.max) break;
    v = Math.min(norm(v * 2), norm(o.max));
  }
  if (!lo) return done(null, { firstFailure: hi });

  const converged = (a: number, b: number) => (integer ? b - a <= Math.max(1, o.precision) : (b - a) / a <= o.precision);
  const bisect = async () => {
    while (hi && lo && !converged(lo.value, hi.value) && !stopped()) {
      const mid = norm((lo.value + hi.value) / 2);
      if (mid <= lo.value || mid >= hi.value) break;
      const s = await step(mid, 'bisect');
      if (s.result.ok) lo = s;
      else hi = s;
    }
  };

  // 2. bisect, 3. confirm
  const tries = o.confirmations ?? 2;
  for (let attempt = 0; ; attempt++) {
    await bisect();
    if (stopped() || attempt >= tries) break;
    const c = await step(lo.value, 'confirm');
    if (c.result.ok) {
      return done(lo.value, { confirmed: true, atMax: !hi && lo.value >= o.max, firstFailure: hi, atCapacity: c });
    }
    // the repeat failed: the next lower passing level becomes the answer to confirm
    const lower = steps.filter((s) => s.result.ok && s.value < lo!.value).sort((a, b) => b.value - a.value)[0];
    hi = c;
    if (!lower) return done(null, { firstFailure: hi });
    lo = lower;
  }
  return done(lo.value, { atMax: !hi && lo.value >= o.max, firstFailure: hi, atCapacity: lo });
}
