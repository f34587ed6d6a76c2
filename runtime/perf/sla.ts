/**
 * evalscope's SLA auto-tuning (--sla-auto-tune) on llmperf's capacity search.
 *
 * --sla-params is a list of criterion groups: within a group every criterion must hold (AND); each
 * group is searched on its own and gets its own answer (evalscope's "OR"). A criterion is a metric of
 * evalscope's (1.10) figures and a bound: avg_latency, p99_latency (s); avg_ttft, p99_ttft, p50_ttft,
 * p90_ttft, avg_tpot, p99_tpot, p50_tpot, p90_tpot (ms, as evalscope 1.10 reports them); rps, tps
 * (requests/s, output tokens/s); with <=, <, >=, > (≤ and ≥ too). A tested value also needs every
 * request to succeed. One group of one criterion "max" or "min" instead looks for the value with the
 * best metric.
 *
 * Each tested value (--parallel, or --rate at --sla-fixed-parallel) is measured --sla-num-runs times,
 * round(value × --sla-number-multiplier, default 2) requests a run, and the runs' figures averaged,
 * as evalscope does. The constraint search is llmperf's capacity search (runtime/sweep/search.ts:
 * double from the start value until a value fails or --sla-upper-bound passes, then bisect to one
 * unit), started at --parallel / --rate and, when that fails, again from --sla-lower-bound below it;
 * measured values are reused. The optimisation search is evalscope's: double while the metric
 * improves, then bisect between the last improvement and the first value that did not improve.
 */
import { join } from 'node:path';
import { ConfigError } from '../errors.ts';
import { searchCapacity } from '../sweep/search.ts';
import type { PerfOptions, PerfRun, SlaOptions } from './config.ts';
import { writeJson } from './outputs.ts';
import { gridTable, type PercentileRow, type SummaryRow } from './report.ts';

export const SLA_METRICS = ['avg_latency', 'p99_latency', 'avg_ttft', 'p99_ttft', 'p50_ttft', 'p90_ttft', 'avg_tpot', 'p99_tpot', 'p50_tpot', 'p90_tpot', 'rps', 'tps'] as const;
export type SlaMetric = (typeof SLA_METRICS)[number];
type Op = '<=' | '<' | '>=' | '>' | 'max' | 'min';

export interface Criterion {
  metric: SlaMetric;
  op: Op;
  target: number;
}

/** One tested value's averaged evalscope figures (1.10 layout). */
export interface SlaPoint {
  value: number;
  keys: SummaryRow;
  percentiles: PercentileRow[];
}

/** Parses "<=2", "≥ 0.5", "max" (evalscope's create_criterion). */
export function parseCriterion(metric: string, raw: string): Criterion {
  if (!(SLA_METRICS as readonly string[]).includes(metric)) throw new ConfigError(`--sla-params: unknown metric "${metric}": use ${SLA_METRICS.join(', ')}`);
  const v = raw.replace(/≤/g, '<=').replace(/[≥≧]/g, '>=').replace(/\s/g, '');
  if (v === 'max' || v === 'min') return { metric: metric as SlaMetric, op: v, target: 0 };
  for (const op of ['<=', '>=', '<', '>'] as const) {
    if (v.startsWith(op)) {
      const target = Number(v.slice(op.length));
      if (v.length === op.length || !Number.isFinite(target)) throw new ConfigError(`--sla-params: bad target in "${raw}" for ${metric}: write e.g. "<=2"`);
      return { metric: metric as SlaMetric, op, target };
    }
  }
  throw new ConfigError(`--sla-params: "${raw}" for ${metric}: expected "<=2", "<2", ">=0.5", ">0.5", "max" or "min"`);
}

export function parseGroups(params: SlaOptions['params']): Criterion[][] {
  const groups = params.map((g) => Object.entries(g).map(([m, c]) => parseCriterion(m, c)));
  if (!groups.length || groups.some((g) => g.length === 0)) throw new ConfigError('--sla-params: give at least one criterion, e.g. \'[{"p99_latency": "<=2"}]\'');
  const optimise = groups.flat().filter((c) => c.op === 'max' || c.op === 'min');
  if (optimise.length && (groups.length > 1 || groups[0]!.length > 1)) throw new ConfigError('--sla-params: "max" / "min" stands alone: [{"tps": "max"}]');
  return groups;
}

function percentile(p: SlaPoint, label: string, column: string): number {
  const v = p.percentiles.find((r) => r.Percentiles === label)?.[column];
  return typeof v === 'number' ? v : NaN;
}

/** evalscope's get_metric_values, from 1.10's figures. */
export function metricValue(p: SlaPoint, m: SlaMetric): number {
  const k = p.keys;
  switch (m) {
    case 'avg_latency': return k['Avg Latency (s)'] ?? NaN;
    case 'avg_ttft': return k['Avg TTFT (ms)'] ?? NaN;
    case 'avg_tpot': return k['Avg TPOT (ms)'] ?? NaN;
    case 'rps': return k['Req Throughput (req/s)'] ?? NaN;
    case 'tps': return k['Output Throughput (tok/s)'] ?? NaN;
    case 'p99_latency': return percentile(p, '99%', 'Latency (s)');
    case 'p99_ttft': return percentile(p, '99%', 'TTFT (ms)');
    case 'p50_ttft': return percentile(p, '50%', 'TTFT (ms)');
    case 'p90_ttft': return percentile(p, '90%', 'TTFT (ms)');
    case 'p99_tpot': return percentile(p, '99%', 'TPOT (ms)');
    case 'p50_tpot': return percentile(p, '50%', 'TPOT (ms)');
    case 'p90_tpot': return percentile(p, '90%', 'TPOT (ms)');
  }
}

/** Every request succeeded and every criterion of the group holds. */
export function meets(p: SlaPoint, group: readonly Criterion[]): boolean {
  const total = p.keys['Total Requests'] ?? 0;
  if (!total || Math.round(((p.keys['Success Requests'] ?? 0) / total) * 1000) / 10 < 100) return false;
  return group.every((c) => {
    const v = metricValue(p, c.metric);
    if (!Number.isFinite(v)) return false;
    return c.op === '<=' ? v <= c.target : c.op === '<' ? v < c.target : c.op === '>=' ? v >= c.target : c.op === '>' ? v > c.target : true;
  });
}

/** evalscope's average_results: every summary key and percentile cell averaged over the runs. */
export function averagePoints(value: number, runs: Array<{ keys: SummaryRow; percentiles: PercentileRow[] }>): SlaPoint {
  const keys: SummaryRow = {};
  for (const k of Object.keys(runs[0]?.keys ?? {})) {
    const vals = runs.map((r) => r.keys[k]).filter((v): v is number => typeof v === 'number');
    if (vals.length) keys[k] = vals.reduce((a, b) => a + b, 0) / vals.length;
  }
  const percentiles = (runs[0]?.percentiles ?? []).map((row, i) => {
    const out: PercentileRow = { Percentiles: row.Percentiles! };
    for (const col of Object.keys(row)) {
      if (col === 'Percentiles') continue;
      const vals = runs.map((r) => r.percentiles[i]?.[col]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
      out[col] = vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : 0;
    }
    return out;
  });
  return { value, keys, percentiles };
}

export interface SlaRow {
  Criteria: string;
  Variable: string;
  'Max Satisfied': number | string;
  Note: string;
}

const describe = (g: readonly Criterion[]) => g.map((c) => (c.op === 'max' || c.op === 'min' ? `${c.metric} -> ${c.op}` : `${c.metric} ${c.op} ${c.target}`)).join(' AND ');

/** The start value: --parallel / --rate, as an integer within the bounds. */
export function slaStart(o: PerfOptions, sla: SlaOptions): number {
  const v = sla.variable === 'parallel' ? (o.parallel[0] ?? 1) : (o.rate[0] ?? 1);
  return Math.trunc(Math.max(sla.lowerBound, Math.min(v, sla.upperBound)));
}

/** Runs the searches; `measure` runs (or reuses) one value's averaged runs. */
export async function tuneSla(o: PerfOptions, sla: SlaOptions, measure: (value: number) => Promise<SlaPoint>, stopped: () => boolean, log: (l: string) => void): Promise<SlaRow[]> {
  if (!(sla.lowerBound >= 1 && sla.upperBound >= sla.lowerBound)) throw new ConfigError(`--sla-lower-bound ${sla.lowerBound} and --sla-upper-bound ${sla.upperBound} must satisfy 1 <= lower <= upper`);
  if (!(Number.isInteger(sla.numRuns) && sla.numRuns >= 1)) throw new ConfigError(`--sla-num-runs ${sla.numRuns}: must be a whole number >= 1`);
  const groups = parseGroups(sla.params);
  const start = slaStart(o, sla);
  const rows: SlaRow[] = [];
  const only = groups[0]![0]!;
  if (groups.length === 1 && groups[0]!.length === 1 && (only.op === 'max' || only.op === 'min')) {
    rows.push(await optimise(only, start, sla, measure, stopped, log));
    return rows;
  }
  for (const group of groups) {
    log(`SLA search over ${sla.variable} for ${describe(group)}, from ${start} (bounds ${sla.lowerBound}..${sla.upperBound})`);
    const search = (min: number, max: number) =>
      searchCapacity({ over: 'concurrency', min, max, precision: 1, confirmations: 0, stopped }, async (v) => {
        const ok = meets(await measure(v), group);
        log(`SLA check: ${sla.variable}=${v} ${ok ? 'PASSED' : 'FAILED'} (${describe(group)})`);
        return { ok };
      });
    let best = (await search(start, sla.upperBound)).capacity;
    if (best === null && start > sla.lowerBound && !stopped()) best = (await search(sla.lowerBound, start - 1)).capacity;
    rows.push(
      best === null
        ? { Criteria: describe(group), Variable: sla.variable, 'Max Satisfied': 'None', Note: `Failed at lower bound (${sla.lowerBound})` }
        : { Criteria: describe(group), Variable: sla.variable, 'Max Satisfied': best, Note: 'Satisfied' },
    );
  }
  return rows;
}

async function optimise(c: Criterion, start: number, sla: SlaOptions, measure: (value: number) => Promise<SlaPoint>, stopped: () => boolean, log: (l: string) => void): Promise<SlaRow> {
  const better = (a: number, b: number) => (c.op === 'max' ? a > b : a < b);
  let best = start;
  let bestVal = metricValue(await measure(start), c.metric);
  let lo = start;
  let hi: number | undefined;
  let cur = start;
  while (!stopped()) {
    const next = Math.min(cur * 2, sla.upperBound);
    if (next === cur) break;
    const v = metricValue(await measure(next), c.metric);
    log(`SLA optimisation: ${sla.variable}=${next}, ${c.metric}=${v}`);
    if (better(v, bestVal)) {
      best = next;
      bestVal = v;
      cur = lo = next;
      if (next === sla.upperBound) break;
    } else {
      hi = next;
      break;
    }
  }
  if (hi !== undefined) {
    let left = lo;
    let right = hi;
    while (left < right - 1 && !stopped()) {
      const mid = Math.floor((left + right) / 2);
      const v = metricValue(await measure(mid), c.metric);
      log(`SLA optimisation: ${sla.variable}=${mid}, ${c.metric}=${v}`);
      if (better(v, bestVal)) {
        best = mid;
        bestVal = v;
        left = mid;
      } else right = mid;
    }
  }
  return { Criteria: describe([c]), Variable: sla.variable, 'Max Satisfied': best, Note: `Best ${c.metric}: ${bestVal.toFixed(4)}` };
}

export function renderSlaTable(rows: readonly SlaRow[]): string {
  const header = ['Criteria', 'Variable', 'Max Satisfied', 'Note'] as const;
  return ['', 'SLA Auto-tune Summary:', gridTable([...header], rows.map((r) => header.map((h) => r[h]))), ''].join('\n');
}

export interface SlaRunDeps {
  /** runs one perf run (warm-up included) into `root`; undefined when it was interrupted before it ended */
  run(run: PerfRun, root: string, offset: number): Promise<{ keys: SummaryRow; percentiles: PercentileRow[]; tables: string } | undefined>;
  /** the invocation's folder */
  root: string;
  log(line: string): void;
  out(text: string): void;
  stopped(): boolean;
  sleep(ms: number): Promise<void>;
}

/**
 * --sla-auto-tune from start to end: the searches, each tested value's runs (under
 * sla_tuning/sla_<variable>_<value>_run_<i>/, the dataset offset moving on by each run's requests as
 * evalscope's does), the overview of every tested value, the SLA table, sla_summary.json.
 */
export async function runSla(o: PerfOptions, sla: SlaOptions, d: SlaRunDeps): Promise<{ rows: SlaRow[]; points: SlaPoint[] }> {
  const cache = new Map<number, SlaPoint>();
  let offset = o.datasetOffset;
  let first = true;
  const measure = async (value: number): Promise<SlaPoint> => {
    const hit = cache.get(value);
    if (hit) return hit;
    const number = Math.max(1, Math.round(value * (sla.numberMultiplier ?? 2)));
    const runs: Array<{ keys: SummaryRow; percentiles: PercentileRow[] }> = [];
    for (let i = 0; i < sla.numRuns && !d.stopped(); i++) {
      if (!first && o.sleepInterval > 0) await d.sleep(o.sleepInterval * 1000);
      first = false;
      d.log(`SLA: running ${sla.variable}=${value}, run ${i + 1}/${sla.numRuns} (${number} requests)`);
      const run: PerfRun = sla.variable === 'parallel'
        ? { index: i, parallel: value, number, rate: -1, openLoop: false }
        : { index: i, parallel: sla.fixedParallel ?? sla.upperBound, number, rate: value, openLoop: false };
      const r = await d.run(run, join(d.root, 'sla_tuning', `sla_${sla.variable}_${value}_run_${i}`), offset);
      offset += number;
      if (!r) break;
      d.out(r.tables);
      runs.push(r);
    }
    const point = runs.length ? averagePoints(value, runs) : { value, keys: {}, percentiles: [] };
    cache.set(value, point);
    return point;
  };
  const rows = await tuneSla(o, sla, measure, d.stopped, d.log);
  const points = [...cache.values()].sort((a, b) => a.value - b.value);
  d.out(renderOverview(sla, points));
  d.out(renderSlaTable(rows));
  const file = join(d.root, 'sla_summary.json');
  writeJson(file, Object.fromEntries(points.map((p) => [`${sla.variable}_${p.value}`, { metrics: p.keys, percentiles: p.percentiles }])));
  d.log(`SLA summary saved to ${file}`);
  return { rows, points };
}

/** evalscope's "Performance Overview" of the tested values (averaged). */
function renderOverview(sla: SlaOptions, points: readonly SlaPoint[]): string {
  const rows = points.map((p) => {
    const total = p.keys['Total Requests'] ?? 0;
    return [
      sla.variable === 'parallel' ? p.value : (sla.fixedParallel ?? sla.upperBound),
      sla.variable === 'rate' ? p.value : '-',
      Math.round(total),
      Number((p.keys['Req Throughput (req/s)'] ?? NaN).toFixed(2)),
      Number((p.keys['Output Throughput (tok/s)'] ?? NaN).toFixed(2)),
      `${(total ? (100 * (p.keys['Success Requests'] ?? 0)) / total : 0).toFixed(1)}%`,
    ];
  });
  return ['', 'Performance Overview (SLA search, averaged over --sla-num-runs):', gridTable(['Conc.', 'Rate', 'Num', 'RPS', 'Gen/s', 'Success'], rows), ''].join('\n');
}
