/**
 * Service-level objectives for `llmperf capacity` and `llmperf sweep --slo`: one expression per SLO,
 * evaluated on a whole load level.
 *
 * Grammar (whitespace allowed between tokens):
 *
 *     slo      := agg "(" selector ")" op number
 *     agg      := "p" N | "p(" N ")" | "avg" | "min" | "max" | "med" | "rate" | "count"
 *     selector := metric | metric "{" tag ":" value ("," tag ":" value)* "}"
 *     op       := "<" | "<=" | ">" | ">="
 *
 * `p99(llm_ttft)<500`, `p(99)(llm_ttft)<500`, `avg(llm_tpot)<=40`, `rate(llm_req_failed)<0.01`,
 * `p95(llm_ttft{turn:1})<800`. N is a percentile (0-100, decimals allowed: p99.9). Times are ms, as in
 * thresholds; no units. The short names ttft, tpot, itl, e2e and ttfb mean the llm_ metrics.
 * Percentiles, avg, min, max and med apply to trends; rate to rates (llm_req_failed, checks) and
 * counters (per second); count to counters, rates and trends (samples). An SLO on a trend with no
 * samples in the level fails ("no data").
 *
 * Goodput: a request is good when it succeeded and its own TTFT, TPOT, E2E and TTFB meet the bound of
 * every upper-bound SLO (< or <=) on those metrics (DistServe's per-request definition); goodput is
 * good requests per second of the level.
 */
import { compare } from '../thresholds/evaluator.ts';
import { ConfigError } from '../errors.ts';
import type { RequestRecord } from '../llm/types.ts';
import { parseSelector, suggest, type Registry } from '../metrics/registry.ts';
import type { AggregationMethod } from '../metrics/types.ts';

export type SloOp = '<' | '<=' | '>' | '>=';

export interface Slo {
  /** the expression as given */
  source: string;
  /** metric selector, llm_ prefix added to short names: llm_ttft, llm_ttft{turn:1} */
  selector: string;
  metric: string;
  agg: AggregationMethod;
  op: SloOp;
  bound: number;
}

export interface SloResult {
  slo: Slo;
  /** the level's value; null when the metric had no samples */
  observed: number | null;
  ok: boolean;
  /** how far past the bound, as observed/bound for upper bounds (bound/observed for lower): > 1 = broken */
  severity: number;
}

const SHORT: Record<string, string> = { ttft: 'llm_ttft', tpot: 'llm_tpot', itl: 'llm_itl', e2e: 'llm_e2e', ttfb: 'llm_ttfb' };
const SLO_RE = /^\s*(p\s*\(\s*\d+(?:\.\d+)?\s*\)|p\d+(?:\.\d+)?|avg|min|max|med|rate|count)\s*\(\s*([^()]+?)\s*\)\s*(<=|>=|<|>)\s*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*$/i;
const HELP = "write AGG(METRIC) OP NUMBER, e.g. 'p99(llm_ttft)<500', 'avg(llm_tpot)<50', 'rate(llm_req_failed)<0.01'";

/** Parses one SLO expression (see the grammar above); throws ConfigError saying what to fix. */
export function parseSlo(source: string): Slo {
  const m = SLO_RE.exec(source);
  if (!m) throw new ConfigError(`--slo ${JSON.stringify(source)}: not an SLO expression: ${HELP}`);
  const aggText = m[1]!.replace(/\s+/g, '').toLowerCase();
  let agg: AggregationMethod;
  if (aggText.startsWith('p') && aggText !== 'p') {
    const n = Number(aggText.replace(/^p\(?/, '').replace(/\)$/, ''));
    if (!(n >= 0 && n <= 100)) throw new ConfigError(`--slo ${JSON.stringify(source)}: percentile ${n} must be between 0 and 100`);
    agg = { name: 'p', arg: n };
  } else agg = { name: aggText as 'avg' };
  let { metric, tags } = parseSelector(m[2]!);
  metric = SHORT[metric] ?? metric;
  const selector = tags.length ? `${metric}{${tags.map(([k, v]) => `${k}:${v}`).join(',')}}` : metric;
  return { source: source.trim(), selector, metric, agg, op: m[3] as SloOp, bound: Number(m[4]) };
}

export function parseSlos(list: readonly string[]): Slo[] {
  return list.map(parseSlo);
}

export function aggName(a: AggregationMethod): string {
  return a.name === 'p' ? `p(${a.arg})` : a.name;
}

const AGG_BY_TYPE: Record<string, readonly string[]> = {
  trend: ['p', 'avg', 'min', 'max', 'med', 'count'],
  rate: ['rate', 'count'],
  counter: ['rate', 'count'],
  gauge: ['min', 'max'],
};

/**
 * Checks every SLO's metric exists and suits its aggregation, and creates tag sub-metrics so they
 * collect samples from the start (call before the level starts).
 */
export function bindSlos(slos: readonly Slo[], registry: Registry): void {
  for (const s of slos) {
    const m = registry.get(s.metric);
    if (!m) throw new ConfigError(`--slo ${JSON.stringify(s.source)}: unknown metric ${JSON.stringify(s.metric)}${suggest(s.metric, registry.all().map((x) => x.name))}`);
    if (!AGG_BY_TYPE[m.type]!.includes(s.agg.name)) {
      throw new ConfigError(`--slo ${JSON.stringify(s.source)}: ${aggName(s.agg)} does not apply to ${s.metric}, a ${m.type}; use ${AGG_BY_TYPE[m.type]!.map((a) => (a === 'p' ? 'pN' : a)).join(', ')}`);
    }
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

const RECORD_FIELD: Record<string, 'ttft' | 'tpot' | 'e2e' | 'ttfb'> = { llm_ttft: 'ttft', llm_tpot: 'tpot', llm_e2e: 'e2e', llm_ttfb: 'ttfb' };

/**
 * The per-request goodput test built from the SLOs (see the top of this file); with no SLO bounding a
 * per-request latency, every successful request counts as good.
 */
export function requestMeetsSlos(slos: readonly Slo[]): (r: RequestRecord) => boolean {
  const bounds: Array<{ field: 'ttft' | 'tpot' | 'e2e' | 'ttfb'; bound: number; strict: boolean }> = [];
  for (const s of slos) {
    const field = RECORD_FIELD[s.metric];
    if (!field || s.selector !== s.metric || (s.op !== '<' && s.op !== '<=') || s.agg.name === 'rate' || s.agg.name === 'count') continue;
    bounds.push({ field, bound: s.bound, strict: s.op === '<' });
  }
  return (r) => {
    if (!r.ok) return false;
    for (const b of bounds) {
      const v = r[b.field];
      if (v === null) continue;
      if (b.strict ? !(v < b.bound) : !(v <= b.bound)) return false;
    }
    return true;
  };
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
