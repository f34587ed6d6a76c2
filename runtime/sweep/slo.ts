/**
 * Service-level objectives for `llmperf capacity` and `llmperf sweep --slo`: one expression per SLO,
 * evaluated on a whole load level. The grammar (`p99(llm_ttft)<500`, `avg(tpot)<=40`,
 * `rate(llm_req_failed)<0.01`, `p95(llm_ttft{turn:1})<800`) is runtime/metrics/expression.ts's `slo`
 * form; times are ms, as in thresholds; the short names ttft, tpot, itl, e2e and ttfb mean the llm_
 * metrics. An SLO on a trend with no samples in the level fails ("no data"). Goodput uses the
 * per-request check of runtime/metrics/request-slo.ts with the bounds these SLOs imply.
 */
import { ConfigError } from '../errors.ts';
import { compare, methodProblem, parseSloExpression, type SloExpression } from '../metrics/expression.ts';
import type { Registry } from '../metrics/registry.ts';
import { suggest } from '../suggest.ts';

export type Slo = SloExpression;
export type SloOp = SloExpression['op'];

export interface SloResult {
  slo: Slo;
  /** the level's value; null when the metric had no samples */
  observed: number | null;
  ok: boolean;
  /** how far past the bound, as observed/bound for upper bounds (bound/observed for lower): > 1 = broken */
  severity: number;
}

/** Parses one SLO expression (see runtime/metrics/expression.ts); throws ConfigError saying what to fix. */
export function parseSlo(source: string): Slo {
  return parseSloExpression(source, '--slo');
}

export function parseSlos(list: readonly string[]): Slo[] {
  return list.map(parseSlo);
}

/**
 * Checks every SLO's metric exists and suits its aggregation, and creates tag sub-metrics so they
 * collect samples from the start (call before the level starts).
 */
export function bindSlos(slos: readonly Slo[], registry: Registry): void {
  for (const s of slos) {
    const m = registry.get(s.metric);
    if (!m) throw new ConfigError(`--slo ${JSON.stringify(s.source)}: unknown metric ${JSON.stringify(s.metric)}${suggest(s.metric, registry.all().map((x) => x.name))}`);
    const problem = methodProblem(s.agg, s.metric, m.type);
    if (problem) throw new ConfigError(`--slo ${JSON.stringify(s.source)}: ${problem}`);
    registry.sinkFor(s.selector);
  }
}


/** Evaluates the SLOs on a finished level's registry (durationMs: the level's length, for rates). */
export function evaluateSlos(slos: readonly Slo[], registry: Registry, durationMs: number): SloResult[] {
  return slos.map((slo) => {
    const sink = registry.sinkFor(slo.selector);
    const empty = sink.count === 0 && slo.agg.name !== 'count' && !(sink.type === 'counter' && slo.agg.name === 'rate');
    const v = empty ? NaN : sink.value(slo.agg, durationMs);
    const observed = Number.isFinite(v) ? v : null;
    const ok = observed !== null && compare(observed, slo.op, slo.bound);
    return { slo, observed, ok, severity: severityOf(slo, observed) };
  });
}

function severityOf(slo: Slo, observed: number | null): number {
  if (observed === null) return Infinity;
  const upper = slo.op === '<' || slo.op === '<=';
  if (upper) return slo.bound === 0 ? (observed > 0 ? Infinity : 0) : observed / slo.bound;
  return observed === 0 ? Infinity : slo.bound / observed;
}

/** `p(99)(llm_ttft)=104.2 (> 100)` for logs. */
export function describeResult(r: SloResult): string {
  const obs = r.observed === null ? 'no data' : fmtNum(r.observed);
  return `${r.slo.source}: ${obs}${r.ok ? ' ✓' : ' ✗'}`;
}

export function fmtNum(v: number): string {
  if (!Number.isFinite(v) || v === 0) return String(v);
  const a = Math.abs(v);
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toPrecision(2);
}
