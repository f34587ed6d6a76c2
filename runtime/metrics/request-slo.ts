/**
 * The per-request SLO check behind goodput, in one place for options.slo (`llmperf run`) and
 * `--slo` expressions (`llmperf sweep` / `capacity`).
 *
 * A request is good when it succeeded and each of its own latencies meets every per-request bound
 * (DistServe's definition): TTFT, TPOT, E2E and TTFB against the bound, and ITL by its largest gap
 * (every gap within the bound). A latency the request does not have (the TPOT of a one-token answer,
 * the ITL of a non-streamed one) is not held against it.
 *
 * Bounds come from options.slo (`{ ttft: 500 }`: TTFT <= 500 ms) or from the upper-bound SLOs
 * (`<` or `<=`) on a whole per-request metric (`p99(llm_ttft)<500`: TTFT < 500 ms); SLOs on
 * rates, counts or tag-filtered sub-metrics bound the level, not a request.
 */
import type { SloOptions } from '../../types/options.d.ts';
import type { SloExpression } from './expression.ts';

export type RequestSloField = 'ttft' | 'tpot' | 'e2e' | 'ttfb' | 'itl';

export interface RequestBound {
  field: RequestSloField;
  /** milliseconds */
  bound: number;
  /** `<` rather than `<=` */
  strict: boolean;
}

/** The per-request latencies a bound reads. */
export interface RequestLatencies {
  ok: boolean;
  ttft: number | null;
  tpot: number | null;
  e2e: number | null;
  ttfb: number | null;
  itl: readonly number[];
}

const FIELD_OF_METRIC: Readonly<Record<string, RequestSloField>> = { llm_ttft: 'ttft', llm_tpot: 'tpot', llm_e2e: 'e2e', llm_ttfb: 'ttfb', llm_itl: 'itl' };
export const REQUEST_SLO_FIELDS: readonly RequestSloField[] = ['ttft', 'tpot', 'e2e', 'ttfb', 'itl'];

/** options.slo: each value is an inclusive bound in ms. */
export function boundsFromOptions(slo: SloOptions | undefined): RequestBound[] {
  if (!slo) return [];
  const out: RequestBound[] = [];
  for (const f of REQUEST_SLO_FIELDS) {
    const v = slo[f];
    if (typeof v === 'number') out.push({ field: f, bound: v, strict: false });
  }
  return out;
}

/** The per-request bounds implied by SLO expressions (see the top of this file). */
export function boundsFromSlos(slos: readonly SloExpression[]): RequestBound[] {
  const out: RequestBound[] = [];
  for (const s of slos) {
    const field = FIELD_OF_METRIC[s.metric];
    if (!field || s.selector !== s.metric || (s.op !== '<' && s.op !== '<=') || s.agg.name === 'rate' || s.agg.name === 'count') continue;
    out.push({ field, bound: s.bound, strict: s.op === '<' });
  }
  return out;
}

/** Whether a request is good under `bounds` (with no bounds: every successful request is). */
export function meetsBounds(bounds: readonly RequestBound[], r: RequestLatencies): boolean {
  if (!r.ok) return false;
  for (let i = 0; i < bounds.length; i++) {
    const b = bounds[i]!;
    let v: number | null;
    if (b.field === 'itl') {
      if (r.itl.length === 0) continue;
      v = r.itl[0]!;
      for (let j = 1; j < r.itl.length; j++) if (r.itl[j]! > v) v = r.itl[j]!;
    } else v = r[b.field];
    if (v === null) continue;
    if (b.strict ? !(v < b.bound) : !(v <= b.bound)) return false;
  }
  return true;
}
