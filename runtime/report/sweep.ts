/**
 * The report of a sweep or capacity search: about every level, not the last one.
 *
 * - Header: target, the whole multi-run's start and duration (not a level's), the SLOs, and a
 *   verdict over all levels: "2 of 5 levels failed their SLOs" (never a green badge over a failed
 *   level); a capacity search's answer line, green when a capacity was found.
 * - Levels table: load, steady-window throughput, success, latency percentiles, goodput and the
 *   level's verdict with its reason (SLOs when given, else its thresholds), its duration.
 * - Metric-vs-load charts (the knee): throughput and goodput, TTFT, TPOT, E2E against the offered
 *   load, failed levels ringed in red, SLO bounds drawn; and latency against achieved throughput,
 *   each point labelled with its level (labels placed clear of the curves).
 * - Each level's details (headline, thresholds, percentiles, errors, distributions, time series),
 *   folded; the capacity level (or the last) open.
 */
import type { SummaryData } from '../summary/data.ts';
import { parseSloExpression, type SloExpression } from '../metrics/expression.ts';
import { stat, type SweepMeta, type SweepPoint } from './charts.ts';
import { esc, fmtMs, fmtNum, fmtPct } from './html.ts';
import { metaLine, runSections } from './render.ts';
import { lineChart } from './svg.ts';
import type { TimelineData } from './timeline.ts';

type LatencyMetric = 'llm_ttft' | 'llm_tpot' | 'llm_e2e';

export interface LevelVerdict {
  /** null: nothing to judge the level by (no SLO, no threshold) */
  ok: boolean | null;
  /** what decided: "SLOs", "thresholds" */
  by: 'SLOs' | 'thresholds' | null;
  why: string;
}

/** A level's verdict: its SLOs (and saturation) when the multi-run had them, else its own thresholds. */
export function levelVerdict(p: SweepPoint): LevelVerdict {
  if (p.ok !== undefined) return { ok: p.ok, by: 'SLOs', why: p.ok ? 'every SLO met' : (p.failReason ?? 'failed') };
  const t = p.summary.thresholds ?? [];
  if (!t.length) return { ok: null, by: null, why: '' };
  const failed = t.filter((x) => !x.ok);
  return failed.length
    ? { ok: false, by: 'thresholds', why: `${failed.length} of ${t.length} thresholds failed: ${failed.map((x) => `${x.metric} ${x.source}`).join(', ')}` }
    : { ok: true, by: 'thresholds', why: `all ${t.length} thresholds passed` };
}

function rps(p: SweepPoint): number | null {
  return p.stats?.requestThroughput ?? p.summary.llm?.requestThroughput ?? null;
}
function tps(p: SweepPoint): number | null {
  return p.stats?.outputTokenThroughput ?? p.summary.llm?.outputTokenThroughput ?? null;
}
function success(p: SweepPoint): number | null {
  return p.stats?.successRate ?? p.summary.llm?.successRate ?? null;
}
function lat(p: SweepPoint, m: LatencyMetric, q: 'p50' | 'p99'): number | null {
  const v = p.latency?.[m]?.[q];
  if (v !== undefined) return v;
  return stat(p.summary, m, q === 'p50' ? 'p(50)' : 'p(99)');
}
function load(p: SweepPoint): number | undefined {
  return p.concurrency ?? p.rate;
}

/** The whole multi-run's length: given, else the levels' wall-clock times, else their run times. */
function wholeDuration(points: readonly SweepPoint[], meta: SweepMeta | undefined): { ms: number; note: string } {
  if (meta?.durationMs !== undefined) return { ms: meta.durationMs, note: '' };
  if (points.every((p) => p.wallMs !== undefined)) return { ms: points.reduce((a, p) => a + p.wallMs!, 0), note: ' (the levels added up)' };
  return { ms: points.reduce((a, p) => a + (p.summary.state?.testRunDurationMs ?? 0), 0), note: ' (the levels\u2019 run times added up)' };
}

export function sweepHeader(points: readonly SweepPoint[], meta: SweepMeta | undefined, title: string): string {
  const first: SummaryData = points[0]!.summary;
  const verdicts = points.map(levelVerdict);
  const judged = verdicts.filter((v) => v.ok !== null);
  const failed = judged.filter((v) => !v.ok).length;
  const by = judged.some((v) => v.by === 'SLOs') ? 'SLOs' : 'thresholds';
  const dur = wholeDuration(points, meta);
  const rows: Array<[string, unknown]> = [
    ['target', `${first.target?.url ?? ''}${first.target?.embeddedMock ? ' (built-in mock)' : ''}`],
    ['model', first.target?.model],
    ['api', first.target?.api],
    ['started', meta?.startedAt ?? first.state?.startedAt],
    ['duration', `${fmtMs(dur.ms)}${dur.note}`],
    ['levels', `${points.length}: ${points.map((p) => p.label).join(', ')}`],
    ...(meta?.slos?.length ? [['SLOs', meta.slos.join(', ')] as [string, unknown]] : []),
  ];
  let verdict = '';
  if (judged.length) {
    verdict = failed
      ? `<span class="verdict bad" id="verdict">${failed} of ${points.length} levels failed their ${by}</span>`
      : `<span class="verdict ok" id="verdict">every level met its ${by}</span>`;
  }
  const answer = meta?.answer ? `<p class="answer ${meta.capacity === null || meta.capacity === undefined ? 'bad' : 'ok'}" id="capacity-answer">${esc(meta.answer)}</p>` : '';
  return `<header><h1>${esc(title)}</h1>${metaLine(rows)}${verdict}${answer}</header>`;
}

export function sweepSection(points: readonly SweepPoint[], meta: SweepMeta | undefined): string {
  const slo = points.some((p) => p.goodput !== undefined && p.goodput !== null) || !!meta?.slos?.length;
  const head = ['level', 'concurrency', 'rate', 'req/s', 'output tok/s', 'success', 'TTFT p50', 'TTFT p99', 'TPOT p50', 'TPOT p99', 'E2E p50', 'E2E p99', ...(slo ? ['goodput'] : []), 'result', 'duration'];
  const rows = points.map((p, i) => {
    const v = levelVerdict(p);
    const cells = [
      p.concurrency === undefined ? '–' : fmtNum(p.concurrency),
      p.rate === undefined ? '–' : fmtNum(p.rate),
      fmtNum(rps(p)),
      fmtNum(tps(p)),
      fmtPct(success(p)),
      ...(['llm_ttft', 'llm_tpot', 'llm_e2e'] as const).flatMap((m) => [fmtMs(lat(p, m, 'p50')), fmtMs(lat(p, m, 'p99'))]),
      ...(slo ? [p.goodput === null || p.goodput === undefined ? '–' : `${fmtNum(p.goodput)} req/s`] : []),
    ];
    const result = v.ok === null ? '<td class="text note">–</td>' : `<td class="text ${v.ok ? 'ok' : 'bad'}" title="${esc(v.why)}">${v.ok ? 'pass' : `FAIL: ${esc(v.why)}`}</td>`;
    const dur = fmtMs(p.wallMs ?? p.summary.state?.testRunDurationMs);
    return `<tr data-level="${i + 1}" data-ok="${v.ok === null ? '' : String(v.ok)}"><td class="text"><a href="#level-${i + 1}">${esc(p.label)}</a></td>${cells.map((c) => `<td>${esc(c)}</td>`).join('')}${result}<td>${esc(dur)}</td></tr>`;
  });
  const table = `<table class="levels"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
  const note = points.some((p) => p.stats)
    ? '<p class="note">Throughput, success and percentiles are over each level\u2019s measured window (after any warm-up); a level\u2019s details below cover the whole level.</p>'
    : '';
  return `<section id="sweep"><h2>Levels (${points.length})</h2>${table}${note}${loadCharts(points, meta)}${throughputCharts(points)}</section>`;
}

/** SLO bounds on a metric, as horizontal lines (upper bounds only). */
function boundsFor(slos: readonly SloExpression[], metric: string): Array<{ value: number; label: string }> {
  return slos.filter((s) => s.metric === metric && (s.op === '<' || s.op === '<=')).map((s) => ({ value: s.bound, label: `SLO ${s.source}` }));
}

function parsedSlos(meta: SweepMeta | undefined): SloExpression[] {
  const out: SloExpression[] = [];
  for (const src of meta?.slos ?? []) {
    try {
      out.push(parseSloExpression(src));
    } catch {
      /* shown as text in the header only */
    }
  }
  return out;
}

/** Metric against the offered load: where the curves bend is the knee. */
function loadCharts(points: readonly SweepPoint[], meta: SweepMeta | undefined): string {
  const kind = points.every((p) => p.concurrency !== undefined) ? 'concurrency' : points.every((p) => p.rate !== undefined) ? 'rate' : null;
  if (!kind) return '<p class="note">The levels mix concurrency and rate: no chart against the offered load (see the curves against throughput).</p>';
  const sorted = [...points].sort((a, b) => load(a)! - load(b)!);
  const x = sorted.map((p) => load(p)!);
  const xLabel = kind === 'concurrency' ? 'offered load: VUs (concurrency)' : 'offered load: requests/s (arrival rate)';
  const bad = sorted.map((p) => levelVerdict(p).ok === false);
  const slos = parsedSlos(meta);
  const common = { x, xLabel, markers: true, bad, pointLabels: undefined };
  const charts = [
    lineChart({
      ...common,
      id: 'load-throughput',
      title: 'Throughput and goodput vs load',
      yLabel: 'requests/s',
      series: [
        { name: 'succeeded req/s', values: sorted.map(rps) },
        ...(sorted.some((p) => p.goodput !== undefined && p.goodput !== null) ? [{ name: 'goodput', values: sorted.map((p) => p.goodput ?? null), color: '#16a34a' }] : []),
      ],
      note: 'throughput that stops growing with the load: the knee',
    }),
    ...(['llm_ttft', 'llm_tpot', 'llm_e2e'] as const).map((m) =>
      lineChart({
        ...common,
        id: `load-${m.replace('llm_', '')}`,
        title: `${m.replace('llm_', '').toUpperCase()} vs load`,
        yLabel: 'ms',
        series: [{ name: 'p50', values: sorted.map((p) => lat(p, m, 'p50')) }, { name: 'p99', values: sorted.map((p) => lat(p, m, 'p99')), color: '#ea580c' }],
        bounds: boundsFor(slos, m),
      }),
    ),
  ];
  return `<h3>Against the offered load</h3><div class="charts">${charts.join('')}</div>${bad.some(Boolean) ? '<p class="note">Ringed in red: levels that failed.</p>' : ''}`;
}

/** Latency against achieved throughput (request and output-token), one labelled point per level. */
function throughputCharts(points: readonly SweepPoint[]): string {
  const labels = points.map((p) => p.label);
  const bad = points.map((p) => levelVerdict(p).ok === false);
  const charts: string[] = [];
  for (const [m, short] of [['llm_ttft', 'TTFT'], ['llm_tpot', 'TPOT'], ['llm_e2e', 'E2E']] as const) {
    for (const [xName, xLabel, xs] of [['req', 'requests/s (successful)', points.map((p) => rps(p) ?? NaN)], ['tok', 'output tokens/s', points.map((p) => tps(p) ?? NaN)]] as const) {
      charts.push(
        lineChart({
          id: `sweep-${short.toLowerCase()}-${xName}`,
          title: `${short} vs ${xName === 'req' ? 'request' : 'output token'} throughput`,
          x: [...xs],
          xLabel,
          yLabel: `${short} ms`,
          series: [{ name: 'p50', values: points.map((p) => lat(p, m, 'p50')) }, { name: 'p99', values: points.map((p) => lat(p, m, 'p99')), color: '#ea580c' }],
          markers: true,
          pointLabels: labels,
          bad,
        }),
      );
    }
  }
  return `<h3>Latency against achieved throughput</h3><div class="charts">${charts.join('')}</div>`;
}

/** Every level's own sections, folded; the capacity level (or the last) open. */
export function levelDetails(points: readonly SweepPoint[], timelines: ReadonlyArray<TimelineData | undefined>, meta: SweepMeta | undefined): string {
  const focus = meta?.focus !== undefined && meta.focus >= 0 && meta.focus < points.length ? meta.focus : points.length - 1;
  const parts = points.map((p, i) => {
    const v = levelVerdict(p);
    const badge = v.ok === null ? '' : ` <span class="${v.ok ? 'ok' : 'bad'}">${v.ok ? 'pass' : 'FAIL'}</span>`;
    return `<details class="level" id="level-${i + 1}"${i === focus ? ' open' : ''}><summary><b>${esc(p.label)}</b>${badge}${v.why ? ` <span class="note">${esc(v.why)}</span>` : ''}</summary>${runSections(p.summary, timelines[i], `l${i + 1}-`, true)}</details>`;
  });
  return `<h2 class="part" id="levels">Each level</h2>${parts.join('\n')}`;
}
