/**
 * The results in the shape evalscope perf users read: the "Benchmarking summary" key/value table,
 * the "Percentile results" table and, for a sweep, one combined table. Every figure comes from the
 * run's EvalscopeAccumulator (exact per-request values, evalscope's formulas: runtime/summary/evalscope.ts)
 * in the layout of --evalscope-version. Renderers return strings.
 *
 * llmperf adds to the printed tables (never to evalscope's files): a "Token Counts" row saying how
 * tokens were counted (usage, tokenizer, estimated), reasoning rows when responses reasoned (time
 * to the first answer token, reasoning and answer tokens), and notes for estimated counts and for
 * streams that did not really stream (left out of TPOT/ITL).
 */
import type { SummaryData } from '../summary/data.ts';
import { summaryKeyNames, type EvalscopeAccumulator, type EvalscopeFormat } from '../summary/evalscope.ts';
import type { PerfRun } from './config.ts';
import type { SpeedRow } from './workloads.ts';

export type SummaryRow = Record<string, number>;
export type PercentileRow = Record<string, string | number>;

export interface PerfResult {
  run: PerfRun;
  format: EvalscopeFormat;
  /** llmperf's own summary of the run (summary.json) */
  summary: SummaryData;
  /** evalscope's benchmark_summary.json */
  keys: SummaryRow;
  /** evalscope's benchmark_percentile.json: one object per percentile */
  percentiles: PercentileRow[];
  /** the same figures in evalscope 1.10's layout, for performance_summary.txt */
  latest: { keys: SummaryRow; percentiles: PercentileRow[] };
  /** llmperf's extra rows: reasoning averages and percentiles (empty when no response reasoned) */
  reasoning: ReturnType<EvalscopeAccumulator['reasoningFigures']>;
  /** successful requests left out of TPOT/ITL because they did not really stream */
  notStreamed: number;
  /** where the files of this run were written */
  dir?: string;
  /** speed_benchmark: evalscope's speed table (speed_benchmark.json) */
  speed?: SpeedRow[];
  /** an embedding or rerank run (evalscope's batch layout) */
  batch?: boolean;
}

export function toResult(run: PerfRun, summary: SummaryData, acc: EvalscopeAccumulator, format: EvalscopeFormat): PerfResult {
  return {
    run,
    format,
    summary,
    keys: acc.summary(format),
    percentiles: acc.percentiles(format),
    latest: { keys: acc.summary('1.10'), percentiles: acc.percentiles('1.10') },
    reasoning: acc.reasoningFigures(format),
    notStreamed: acc.nNotStreamed,
    ...(acc.batch ? { batch: true } : {}),
  };
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

/** The percentile table: one row per percentile (evalscope <= 1.6), one row per metric (1.7+); reasoning figures added as columns / rows. */
function percentileTable(r: PerfResult): string {
  const extra = r.reasoning.percentiles;
  const header = Object.keys(r.percentiles[0] ?? { Percentiles: '' });
  if (r.format === '1.6') {
    return gridTable([...header, ...extra.map(([name]) => name)], r.percentiles.map((row, i) => [...header.map((h) => row[h] ?? ''), ...extra.map(([, v]) => v[i] ?? NaN)]), 'center');
  }
  const labels = r.percentiles.map((row) => String(row.Percentiles));
  const metrics = header.filter((h) => h !== 'Percentiles');
  const fmt2 = (v: string | number | undefined) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(2) : 'NaN');
  return gridTable(['Metric', ...labels], [...metrics.map((m) => [m, ...r.percentiles.map((row) => fmt2(row[m]))]), ...extra.map(([m, v]) => [m, ...v.map(fmt2)])]);
}

/** The two tables of one run, as evalscope logs them, and notes on failures and queueing. */
/** Keys of generation a batch run's table leaves out (benchmark_summary.json keeps them, at 0). */
const GENERATION_KEYS = new Set(['Output Throughput (tok/s)', 'Total Throughput (tok/s)', 'Avg TTFT (ms)', 'Avg TPOT (ms)', 'Avg ITL (ms)', 'Avg Output Tokens']);

export function renderRun(r: PerfResult): string {
  const l = r.summary.llm;
  const rows: Array<[string, string | number]> = [...Object.entries(r.keys).filter(([k]) => !r.batch || !GENERATION_KEYS.has(k)), ...Object.entries(r.reasoning.averages)];
  if (l.tokenCountSources) rows.push(['Token Counts', l.tokenCountSources]);
  const summary = gridTable(['Key', 'Value'], rows);
  const notes: string[] = [];
  if (l.tokenSources?.estimated) notes.push(`token counts are estimated (${l.tokenCountSources}): the server sent no usage; pass --tokenizer-path <folder with tokenizer.json> to count them exactly`);
  if (r.notStreamed) notes.push(`${r.notStreamed} responses did not really stream (buffered, whole, or in one read): left out of TPOT and ITL`);
  for (const f of r.summary.streamHealth?.findings ?? []) notes.push(f);
  const dropped = r.summary.iterations.dropped;
  if (dropped) notes.push(`${dropped} arrivals were dropped (dropped_iterations)`);
  const queued = r.summary.metrics.llm_queue_wait?.values;
  if (queued && (queued.count ?? 0) > 0) {
    notes.push(
      `${queued.count} arrivals found all --parallel slots busy and waited for one (evalscope's queueing): ` +
        `llm_queue_wait avg ${((queued.avg ?? 0) / 1000).toFixed(3)} s, max ${((queued.max ?? 0) / 1000).toFixed(3)} s; --parallel caps the load, not the client`,
    );
  }
  const batch = r.summary.metrics.llm_batch_size?.values;
  if (batch && (batch.count ?? 0) > 0) notes.push(`batch size: ${(batch.avg ?? 0).toFixed(2)} inputs per request on average (max ${batch.max ?? 0}; llm_batch_size)`);
  for (const [code, n] of Object.entries(l.errors)) notes.push(`failed: ${n} × ${code}: ${l.errorSamples[code] ?? ''}`);
  return ['', 'Benchmarking summary:', summary, '', 'Percentile results:', percentileTable(r), ...notes.map((n) => `note: ${n}`), ''].join('\n');
}

function p99(r: PerfResult, key: string): number {
  const row = r.percentiles.find((p) => p.Percentiles === '99%');
  const v = row?.[key];
  return typeof v === 'number' ? v : NaN;
}

/** One line per run of a sweep, as evalscope's multi-run report. */
export function renderSweep(results: PerfResult[]): string {
  if (results[0]?.batch) return renderBatchSweep(results);
  const format = results[0]?.format ?? '1.10';
  const k = summaryKeyNames(format);
  const ms = format === '1.10';
  const header = ['Conc.', 'Rate', 'Num', 'RPS', 'Avg Lat.(s)', 'P99 Lat.(s)', `Avg TTFT(${ms ? 'ms' : 's'})`, `P99 TTFT(${ms ? 'ms' : 's'})`, `Avg TPOT(${ms ? 'ms' : 's'})`, `P99 TPOT(${ms ? 'ms' : 's'})`, 'Gen. toks/s', 'Success Rate'];
  const rows = results.map((r) => {
    const v = r.keys;
    const total = v[k.total] ?? 0;
    const ok = total ? (100 * (v[k.ok] ?? 0)) / total : 0;
    return [
      r.run.parallel === -1 ? 'INF' : r.run.parallel,
      r.run.rate === -1 ? 'INF' : r.run.rate,
      r.run.number,
      v[k.rps] ?? NaN,
      v[k.latency] ?? NaN,
      p99(r, 'Latency (s)'),
      v[k.ttft] ?? NaN,
      p99(r, ms ? 'TTFT (ms)' : 'TTFT (s)'),
      v[k.tpot] ?? NaN,
      p99(r, ms ? 'TPOT (ms)' : 'TPOT (s)'),
      v[k.outTps] ?? NaN,
      `${ok.toFixed(1)}%`,
    ];
  });
  return ['', 'Performance Test Summary Report (one row per run):', gridTable(header, rows), ''].join('\n');
}

/** evalscope's table of embedding / rerank runs: latency and input throughput, no TTFT. */
function renderBatchSweep(results: PerfResult[]): string {
  const header = ['Conc.', 'Rate', 'RPS', 'Avg Lat.(s)', 'P99 Lat.(s)', 'Avg Inp.TPS', 'P99 Inp.TPS', 'Avg Inp.Tok', 'Success Rate'];
  const k = summaryKeyNames(results[0]!.format);
  const rows = results.map((r) => {
    const v = r.keys;
    const total = v[k.total] ?? 0;
    return [
      r.run.parallel === -1 ? 'INF' : r.run.parallel,
      r.run.rate === -1 ? 'INF' : r.run.rate,
      v[k.rps] ?? NaN,
      v[k.latency] ?? NaN,
      p99(r, 'Latency (s)'),
      v['Input Throughput (tok/s)'] ?? NaN,
      p99(r, 'Input (tok/s)'),
      v[k.inTok] ?? NaN,
      `${(total ? (100 * (v[k.ok] ?? 0)) / total : 0).toFixed(1)}%`,
    ];
  });
  return ['', 'Embedding/Rerank Performance Test Summary (one row per run):', gridTable(header, rows), ''].join('\n');
}
