/** The report's chart sections: distributions, time series (from timeline.json) and sweep curves. */
import type { SummaryData } from '../summary/data.ts';
import { fmtNum } from './html.ts';
import { displayBins } from './loghist.ts';
import { histogramChart, lineChart, emptyChart, type Series } from './svg.ts';
import { HIST_METRICS, type HistMetric, type TimelineData } from './timeline.ts';

/**
 * One level of a multi-run (a sweep, a capacity search). The fields after `summary` come from
 * `llmperf sweep` / `capacity` (sweep.json): the level's verdict and its steady-window figures; a
 * report without them judges a level by its thresholds and reads its figures from its summary.
 */
export interface SweepPoint {
  label: string;
  concurrency?: number;
  rate?: number;
  summary: SummaryData;
  /** every SLO met and not saturated (absent: no SLOs were given) */
  ok?: boolean;
  failReason?: string | null;
  saturated?: string | null;
  /** requests/s that met every SLO (null: no SLOs) */
  goodput?: number | null;
  slo?: Array<{ source: string; observed: number | null; ok: boolean }>;
  /** figures of the steady window (after the warm-up) */
  stats?: { windowMs: number; requestThroughput: number; outputTokenThroughput: number; successRate: number };
  latency?: Record<'llm_ttft' | 'llm_tpot' | 'llm_e2e', { p50: number | null; p99: number | null }>;
  /** wall-clock time of the level, ms */
  wallMs?: number;
}

/** What a sweep or capacity report says about the whole multi-run (sweep.json alone has only the levels). */
export interface SweepMeta {
  kind: 'sweep' | 'capacity';
  /** ISO 8601 */
  startedAt?: string;
  /** the whole multi-run, first level to last, ms */
  durationMs?: number;
  /** the SLO expressions every level was judged by */
  slos?: string[];
  /** capacity: the answer line, and the load found (null: none) */
  answer?: string;
  capacity?: number | null;
  /** index of the level whose details open first (the capacity level; default the last) */
  focus?: number;
}

export const METRIC_TITLES: Record<string, string> = {
  llm_ttft: 'Time to first token (TTFT)',
  llm_tpot: 'Time per output token (TPOT)',
  llm_itl: 'Inter-token latency (ITL)',
  llm_e2e: 'End-to-end latency (E2E)',
  llm_input_tokens: 'Input tokens per request',
  llm_output_tokens: 'Output tokens per request',
  llm_output_tps: 'Output tokens/s per request',
  llm_batch_size: 'Inputs per batch request (embeddings, rerank)',
  llm_input_tps: 'Input tokens/s per batch request',
  llm_ttft_answer: 'Time to first answer token (after reasoning)',
  llm_reasoning_tokens: 'Reasoning tokens per request',
  llm_answer_tokens: 'Answer tokens per request',
};

/** A stat of a trend from the summary: the llm percentile table first, then the metric's values. */
export function stat(s: SummaryData, metric: string, st: string): number | null {
  const v = s.llm?.percentiles?.[metric]?.[st] ?? s.metrics?.[metric]?.values?.[st] ?? (st === 'p(50)' ? s.metrics?.[metric]?.values?.med : undefined);
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function histogramCharts(summary: SummaryData, tl: TimelineData | undefined, prefix = ''): string {
  // a metric the run never measured (no TTFT, TPOT or ITL without streaming: embeddings, rerank) has no chart
  const measured = HIST_METRICS.filter((m) => !tl?.histograms?.[m] || tl.histograms[m].count > 0);
  const charts = measured.map((m: HistMetric) => {
    const id = `${prefix}hist-${m.replace('llm_', '')}`;
    const title = `${METRIC_TITLES[m]} distribution`;
    const h = tl?.histograms?.[m];
    if (!h) return emptyChart(id, title, 'no timeline.json: distributions need the run directory of a run recorded by llmperf');
    const markers = (['p(50)', 'p(99)'] as const).flatMap((st) => {
      const v = stat(summary, m, st);
      return v === null ? [] : [{ name: st.replace(/[()]/g, ''), value: v }];
    });
    return histogramChart({ id, title, bins: displayBins(h), xLabel: 'ms (log scale)', markers, note: `${fmtNum(h.count)} ${m === 'llm_itl' ? 'gaps' : 'requests'}, min ${fmtNum(h.min)} ms, max ${fmtNum(h.max)} ms` });
  });
  return `<div class="charts">${charts.join('')}</div>`;
}

export function timeSeriesCharts(tl: TimelineData | undefined, durationMs: number, prefix = ''): string {
  if (!tl || !tl.started?.length) return `<p class="note">No timeline.json in the run directory: time series need a run recorded by llmperf.</p>`;
  const w = tl.bucketMs;
  const n = tl.started.length;
  const x: number[] = [];
  const widthSec: number[] = [];
  for (let i = 0; i < n; i++) {
    x.push((i * w) / 1000);
    // the last bucket of the run is partial: rates over the time it covers (at least half a bucket)
    const covered = durationMs - i * w;
    widthSec.push((covered > 0 && covered < w ? Math.max(covered, w / 2) : w) / 1000);
  }
  const perSec = (a: number[] | undefined) => (a ?? []).map((v, i) => v / widthSec[i]!);
  const hoverX = x.map((v) => `${fmtNum(v)}–${fmtNum(v + w / 1000)} s`);
  const xLabel = `seconds since start${w !== 1000 ? ` (${fmtNum(w / 1000)} s buckets)` : ''}`;
  const common = { x, xLabel, hover: true, hoverX };
  const codes = Object.entries(tl.errorsByCode ?? {})
    .map(([code, arr]) => ({ code, arr, total: arr.reduce((a, b) => a + b, 0) }))
    .sort((a, b) => b.total - a.total)
    .slice(0, 6);
  const errSeries: Series[] = [{ name: 'all errors', values: perSec(tl.errors), color: '#dc2626' }];
  if (codes.length > 1 || (codes.length === 1 && codes[0]!.total !== tl.errors.reduce((a, b) => a + b, 0))) {
    codes.forEach((c, i) => errSeries.push({ name: c.code, values: perSec(c.arr), color: ['#ea580c', '#7c3aed', '#ca8a04', '#0d9488', '#db2777', '#475569'][i]!, dashed: true }));
  } else if (codes.length === 1) errSeries[0]!.name = codes[0]!.code;
  // a run that generated nothing (embeddings, rerank) has no output tokens and no TTFT to chart
  const generated = (tl.outputTokens ?? []).some((v) => v > 0);
  const hasTtft = (tl.ttftCount ?? []).some((v) => v > 0);
  const charts = [
    lineChart({ ...common, id: `${prefix}ts-requests`, title: 'Requests per second', yLabel: 'requests/s', series: [{ name: 'succeeded', values: perSec(tl.completed) }, { name: 'started', values: perSec(tl.started), dashed: true, color: '#94a3b8' }] }),
    generated ? lineChart({ ...common, id: `${prefix}ts-tokens`, title: 'Output tokens per second', yLabel: 'tokens/s', series: [{ name: 'output tok/s', values: perSec(tl.outputTokens), color: '#16a34a' }], note: "each request's tokens are spread over its generation time" }) : '',
    lineChart({ ...common, id: `${prefix}ts-inflight`, title: 'Requests in flight', yLabel: 'requests', series: [{ name: 'average in flight', values: tl.busyMs.map((v, i) => v / 1000 / widthSec[i]!), color: '#7c3aed' }] }),
    !hasTtft ? '' : lineChart({
      ...common,
      id: `${prefix}ts-ttft`,
      title: 'TTFT over time',
      yLabel: 'ms',
      series: [{ name: 'p50', values: tl.ttftP50 }, { name: 'p99', values: tl.ttftP99, color: '#ea580c' }],
      note: `by the second the first token arrived; from up to ${tl.reservoir} sampled requests per bucket`,
    }),
    lineChart({ ...common, id: `${prefix}ts-errors`, title: 'Errors per second', yLabel: 'errors/s', series: errSeries }),
  ];
  return `<div class="charts">${charts.join('')}</div>`;
}
