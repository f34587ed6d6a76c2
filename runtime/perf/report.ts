/**
 * The results in the shape evalscope perf users read: the "Benchmarking summary" key/value table,
 * the "Percentile results" table (10 ... 99 %) and, for a sweep, one combined table. Figures come
 * from the run's SummaryData (the registry's HDR sinks); times are shown in seconds as evalscope
 * does. Renderers return strings.
 */
import type { SummaryData } from '../summary/data.ts';
import { PERCENTILES, type PerfRun } from './config.ts';

export type SummaryRow = Record<string, number>;

export interface PerfResult {
  run: PerfRun;
  summary: SummaryData;
  /** evalscope's benchmark_summary.json */
  keys: SummaryRow;
  /** evalscope's benchmark_percentile.json: one object per percentile */
  percentiles: Array<Record<string, string | number>>;
  /** where the files of this run were written */
  dir?: string;
}

/** [column label, metric name, divisor (ms -> s), whole numbers] of the percentile table. */
const PERCENTILE_COLUMNS: Array<[string, string, number, boolean]> = [
  ['TTFT (s)', 'llm_ttft', 1000, false],
  ['ITL (s)', 'llm_itl', 1000, false],
  ['TPOT (s)', 'llm_tpot', 1000, false],
  ['Latency (s)', 'llm_e2e', 1000, false],
  ['Input tokens', 'llm_input_tokens', 1, true],
  ['Output tokens', 'llm_output_tokens', 1, true],
  ['Output (tok/s)', 'perf_output_tps', 1, false],
  ['Total (tok/s)', 'perf_total_tps', 1, false],
];

function stat(s: SummaryData, metric: string, key: string): number {
  const v = s.metrics[metric]?.values[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : NaN;
}

const r4 = (v: number): number => (Number.isFinite(v) ? Math.round(v * 10000) / 10000 : NaN);

/** evalscope's summary keys, from one run's SummaryData. */
export function summaryKeys(run: PerfRun, s: SummaryData): SummaryRow {
  const l = s.llm;
  return {
    'Time taken for tests (s)': r4(l.durationMs / 1000),
    'Number of concurrency': run.parallel,
    'Request rate (req/s)': run.rate,
    'Total requests': l.requests,
    'Succeed requests': l.succeeded,
    'Failed requests': l.failed,
    'Output token throughput (tok/s)': r4(l.outputTokenThroughput),
    'Total token throughput (tok/s)': r4(l.totalTokenThroughput),
    'Request throughput (req/s)': r4(l.requestThroughput),
    'Average latency (s)': r4(stat(s, 'llm_e2e', 'avg') / 1000),
    'Average time to first token (s)': r4(stat(s, 'llm_ttft', 'avg') / 1000),
    'Average time per output token (s)': r4(stat(s, 'llm_tpot', 'avg') / 1000),
    'Average inter-token latency (s)': r4(stat(s, 'llm_itl', 'avg') / 1000),
    'Average input tokens per request': r4(stat(s, 'llm_input_tokens', 'avg')),
    'Average output tokens per request': r4(stat(s, 'llm_output_tokens', 'avg')),
  };
}

/** evalscope's percentile rows (successful requests only). */
export function percentileRows(s: SummaryData): Array<Record<string, string | number>> {
  return PERCENTILES.map((p) => {
    const row: Record<string, string | number> = { Percentiles: `${p}%` };
    for (const [label, metric, div, whole] of PERCENTILE_COLUMNS) {
      const v = stat(s, metric, `p(${p})`) / div;
      // token counts are whole numbers; the histogram's bucket edge (3.001) is not what anyone sent
      row[label] = whole && Number.isFinite(v) ? Math.round(v) : r4(v);
    }
    return row;
  });
}

export function toResult(run: PerfRun, summary: SummaryData): PerfResult {
  return { run, summary, keys: summaryKeys(run, summary), percentiles: percentileRows(summary) };
}

function cell(v: string | number): string {
  if (typeof v === 'string') return v;
  if (!Number.isFinite(v)) return 'NaN';
  return String(v);
}

/** A grid table in tabulate's "grid" style (what evalscope prints). */
export function gridTable(header: string[], rows: Array<Array<string | number>>, align: 'left-right' | 'center' = 'left-right'): string {
  const cells = rows.map((r) => r.map(cell));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const sep = (ch: string) => '+' + widths.map((w) => ch.repeat(w + 2)).join('+') + '+';
  const pad = (s: string, w: number, i: number) => {
    if (align === 'center') {
      const left = Math.floor((w - s.length) / 2);
      return ' '.repeat(left) + s + ' '.repeat(w - s.length - left);
    }
    return i === 0 && !/^-?[\d.]+%?$|^INF$/.test(s) ? s.padEnd(w) : s.padStart(w);
  };
  const line = (r: string[]) => '| ' + r.map((c, i) => pad(c, widths[i]!, i)).join(' | ') + ' |';
  return [sep('-'), line(header), sep('='), ...cells.flatMap((r, i) => (i === 0 ? [line(r)] : [sep('-'), line(r)])), sep('-')].join('\n');
}

/** The two tables of one run, as evalscope logs them. */
export function renderRun(r: PerfResult): string {
  const summary = gridTable(['Key', 'Value'], Object.entries(r.keys).map(([k, v]) => [k, v]));
  const header = Object.keys(r.percentiles[0] ?? { Percentiles: '' });
  const pct = gridTable(header, r.percentiles.map((row) => header.map((h) => row[h] ?? '')), 'center');
  const l = r.summary.llm;
  const notes: string[] = [];
  const dropped = r.summary.iterations.dropped;
  if (dropped) notes.push(`${dropped} arrivals found all --parallel slots busy and were skipped (dropped_iterations); the next free slot took the next arrival`);
  for (const [code, n] of Object.entries(l.errors)) notes.push(`failed: ${n} × ${code}: ${l.errorSamples[code] ?? ''}`);
  return ['', 'Benchmarking summary:', summary, '', 'Percentile results:', pct, ...notes.map((n) => `note: ${n}`), ''].join('\n');
}

/** One line per run of a sweep, as evalscope's multi-run report. */
export function renderSweep(results: PerfResult[]): string {
  const header = ['Conc.', 'Rate', 'Num', 'RPS', 'Avg Lat.(s)', 'P99 Lat.(s)', 'Avg TTFT(s)', 'P99 TTFT(s)', 'Avg TPOT(s)', 'P99 TPOT(s)', 'Gen. toks/s', 'Success Rate'];
  const rows = results.map((r) => {
    const k = r.keys;
    const p99 = r.percentiles[r.percentiles.length - 1] ?? {};
    const ok = k['Total requests'] ? (100 * (k['Succeed requests'] ?? 0)) / k['Total requests'] : 0;
    return [
      r.run.parallel === -1 ? 'INF' : r.run.parallel,
      r.run.rate === -1 ? 'INF' : r.run.rate,
      r.run.number,
      r4(k['Request throughput (req/s)'] ?? NaN),
      r4(k['Average latency (s)'] ?? NaN),
      p99['Latency (s)'] ?? NaN,
      r4(k['Average time to first token (s)'] ?? NaN),
      p99['TTFT (s)'] ?? NaN,
      r4(k['Average time per output token (s)'] ?? NaN),
      p99['TPOT (s)'] ?? NaN,
      r4(k['Output token throughput (tok/s)'] ?? NaN),
      `${ok.toFixed(1)}%`,
    ];
  });
  return ['', 'Performance Test Summary Report (one row per run):', gridTable(header, rows), ''].join('\n');
}
