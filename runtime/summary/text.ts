/**
 * The end-of-test text summary: k6's layout (thresholds with ✓/✗ and the observed value, checks,
 * metrics grouped by kind with sub-metrics indented) followed by an LLM section in the shape
 * evalscope and vLLM users know. Returns a string; never prints.
 */
import { Chalk } from 'chalk';
import type { SummaryData, SummaryMetric } from './data.ts';

export interface RenderOptions {
  color: boolean;
  timeUnit?: 's' | 'ms' | 'us' | undefined;
}

const GROUPS: Array<{ title: string; match: (n: string) => boolean }> = [
  { title: 'LLM', match: (n) => n.startsWith('llm_') },
  { title: 'EXECUTION', match: (n) => /^(iterations|iteration_duration|dropped_iterations|vus|vus_max)(\{|$)/.test(n) },
  { title: 'NETWORK', match: (n) => /^data_(sent|received)(\{|$)/.test(n) },
];

export function formatTime(ms: number, unit?: 's' | 'ms' | 'us'): string {
  if (!Number.isFinite(ms)) return '-';
  if (unit === 's') return `${(ms / 1000).toFixed(2)}s`;
  if (unit === 'ms') return `${ms.toFixed(2)}ms`;
  if (unit === 'us') return `${(ms * 1000).toFixed(2)}µs`;
  const a = Math.abs(ms);
  if (a >= 60_000) {
    const m = Math.floor(ms / 60_000);
    return `${m}m${((ms - m * 60_000) / 1000).toFixed(1)}s`;
  }
  if (a >= 1000) return `${(ms / 1000).toFixed(2)}s`;
  if (a >= 1 || a === 0) return `${ms.toFixed(2)}ms`;
  return `${(ms * 1000).toFixed(2)}µs`;
}

export function formatBytes(b: number): string {
  if (b >= 1e9) return `${(b / 1e9).toFixed(1)} GB`;
  if (b >= 1e6) return `${(b / 1e6).toFixed(1)} MB`;
  if (b >= 1e3) return `${(b / 1e3).toFixed(1)} kB`;
  return `${Math.round(b)} B`;
}

function num(v: number, digits = 2): string {
  if (!Number.isFinite(v)) return '-';
  if (Number.isInteger(v)) return String(v);
  return v.toFixed(digits);
}

function metricValue(m: SummaryMetric, opts: RenderOptions): string {
  const v = m.values;
  const fmt = (x: number) => (m.contains === 'time' ? formatTime(x, opts.timeUnit) : m.contains === 'data' ? formatBytes(x) : num(x));
  switch (m.type) {
    case 'counter':
      return `${m.contains === 'data' ? formatBytes(v.count ?? 0) : num(v.count ?? 0)}  ${m.contains === 'data' ? formatBytes(v.rate ?? 0) : num(v.rate ?? 0)}/s`;
    case 'gauge':
      return `${fmt(v.value ?? 0)}  min=${fmt(v.min ?? 0)} max=${fmt(v.max ?? 0)}`;
    case 'rate':
      return `${((v.rate ?? 0) * 100).toFixed(2)}%  ${v.passes ?? 0} out of ${(v.passes ?? 0) + (v.fails ?? 0)}`;
    default:
      return Object.entries(v)
        .filter(([k]) => k !== 'count')
        .map(([k, x]) => `${k}=${fmt(x)}`)
        .join(' ');
  }
}

function dots(name: string, width: number): string {
  return name + '.'.repeat(Math.max(2, width - name.length)) + ':';
}

export function renderTextSummary(data: SummaryData, opts: RenderOptions): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const out: string[] = [];
  const ind = '    ';
  // ---- thresholds
  if (data.thresholds.length) {
    out.push('', `  █ THRESHOLDS`, '');
    const byMetric = new Map<string, SummaryData['thresholds']>();
    for (const t of data.thresholds) byMetric.set(t.metric, [...(byMetric.get(t.metric) ?? []), t]);
    for (const [metric, ts] of byMetric) {
      out.push(`${ind}${metric}`);
      for (const t of ts) {
        const m = data.metrics[metric];
        const obs = !Number.isFinite(t.observed)
          ? 'no samples'
          : m?.contains === 'time' && t.aggregation !== 'count'
            ? formatTime(t.observed, opts.timeUnit)
            : String(Number(t.observed.toFixed(4)));
        const note = t.implicit ? ` (llmperf's default: every request failed; set a threshold on llm_req_failed to decide otherwise, or --no-thresholds)` : '';
        out.push(`${ind}${t.ok ? c.green('✓') : c.red('✗')} '${t.source}' ${t.aggregation}=${obs}${note}`);
      }
      out.push('');
    }
  }
  // ---- results
  out.push('', `  █ TOTAL RESULTS`, '');
  const checks = data.root_group.checks;
  if (checks.length) {
    const passes = checks.reduce((a, x) => a + x.passes, 0);
    const total = checks.reduce((a, x) => a + x.passes + x.fails, 0);
    out.push(`${ind}${dots('checks_total', 36)} ${total}`);
    out.push(`${ind}${dots('checks_succeeded', 36)} ${total ? ((passes / total) * 100).toFixed(2) : '0.00'}% ${passes} out of ${total}`);
    out.push(`${ind}${dots('checks_failed', 36)} ${total ? (((total - passes) / total) * 100).toFixed(2) : '0.00'}% ${total - passes} out of ${total}`);
    out.push('');
    for (const ch of checks) {
      if (ch.fails === 0) out.push(`${ind}${c.green('✓')} ${ch.name}`);
      else out.push(`${ind}${c.red('✗')} ${ch.name}`, `${ind}  ${c.red(`↳  ${Math.round((ch.passes / (ch.passes + ch.fails)) * 100)}% — ✓ ${ch.passes} / ✗ ${ch.fails}`)}`);
    }
    out.push('');
  }
  const names = Object.keys(data.metrics).sort((a, b) => baseName(a).localeCompare(baseName(b)) || a.length - b.length || a.localeCompare(b));
  const used = new Set<string>();
  const width = Math.max(36, ...names.map((n) => (n.includes('{') ? n.length - baseName(n).length + 2 : n.length) + 3));
  const section = (title: string, list: string[]) => {
    if (!list.length) return;
    out.push(`${ind}${title}`);
    for (const n of list) {
      used.add(n);
      const isSub = n.includes('{');
      const label = isSub ? `  ${n.slice(baseName(n).length)}` : n;
      out.push(`${ind}${dots(label, width)} ${metricValue(data.metrics[n]!, opts)}`);
    }
    out.push('');
  };
  const custom = names.filter((n) => !GROUPS.some((g) => g.match(n)) && baseName(n) !== 'checks');
  section('CUSTOM', custom);
  for (const g of GROUPS) section(g.title, names.filter((n) => g.match(n)));
  out.push(...renderLlmSection(data, opts, c));
  if (data.scriptErrors.length) {
    out.push('', `  █ SCRIPT ERRORS`, '');
    for (const e of data.scriptErrors) out.push(`${ind}${c.red('✗')} ${e.count}× ${e.position}: ${e.message}`);
  }
  const st = data.state;
  out.push('', '', `running (${formatTime(st.testRunDurationMs, 's')}), ${data.vusMax} max VUs, ${data.iterations.completed} complete and ${data.iterations.interrupted} interrupted iterations${data.iterations.dropped ? `, ${data.iterations.dropped} dropped` : ''}`);
  if (st.stopReason !== 'completed') out.push(c.yellow(`stopped early: ${st.stopReason}${st.abortMessage ? ` — ${st.abortMessage}` : ''}`));
  return out.join('\n') + '\n';
}

function baseName(n: string): string {
  const i = n.indexOf('{');
  return i < 0 ? n : n.slice(0, i);
}

const LABELS: Record<string, string> = {
  llm_ttft: 'TTFT (ms)',
  llm_tpot: 'TPOT (ms)',
  llm_itl: 'ITL (ms)',
  llm_e2e: 'E2E latency (ms)',
  llm_input_tokens: 'Input tokens',
  llm_output_tokens: 'Output tokens',
  llm_output_tps: 'Output tok/s per req',
  llm_batch_size: 'Batch size',
  llm_input_tps: 'Input tok/s per req',
  llm_ttft_answer: 'TTFT answer (ms)',
  llm_reasoning_tokens: 'Reasoning tokens',
  llm_answer_tokens: 'Answer tokens',
};

/** The LLM section: headline figures and the percentile table. */
export function renderLlmSection(data: SummaryData, _opts: RenderOptions, c: InstanceType<typeof Chalk>): string[] {
  const l = data.llm;
  const out: string[] = ['', `  █ LLM BENCHMARK`, ''];
  const row = (k: string, v: string) => out.push(`    ${k.padEnd(30)}${v}`);
  row('Target', `${data.target.url}${data.target.embeddedMock ? ' (built-in mock)' : ''}  model=${data.target.model}`);
  row('Duration', `${(l.durationMs / 1000).toFixed(2)} s`);
  row('Requests', `${l.requests} total, ${l.succeeded} succeeded, ${l.failed ? c.red(String(l.failed)) : '0'} failed (${(l.successRate * 100).toFixed(2)}% success)`);
  row('Request throughput', `${l.requestThroughput.toFixed(2)} req/s`);
  // a run that generated nothing (embeddings, rerank) is measured by what it read
  const generated = l.outputTokens > 0 || 'llm_ttft' in l.percentiles;
  if (!generated || l.percentiles.llm_batch_size) row('Input token throughput', `${(l.inputTokenThroughput ?? 0).toFixed(2)} tok/s`);
  if (generated) {
    row('Output token throughput', `${l.outputTokenThroughput.toFixed(2)} tok/s`);
    row('Total token throughput', `${l.totalTokenThroughput.toFixed(2)} tok/s`);
  }
  if (l.goodput !== null) {
    const slo = Object.entries(l.slo ?? {})
      .map(([k, v]) => `${k}<=${v}ms`)
      .join(', ');
    row('Goodput', `${l.goodput.toFixed(2)} req/s (${((l.goodputShare ?? 0) * 100).toFixed(2)}% of requests meet ${slo})`);
  }
  row('Peak concurrency', `${l.peakConcurrency} requests in flight`);
  if (l.tokenCountSources) {
    row('Token counts', l.tokenSources?.estimated ? c.yellow(`${l.tokenCountSources} (estimated counts are approximate)`) : l.tokenCountSources);
    if (l.tokenSources?.hint) row('', c.dim(l.tokenSources.hint));
  }
  if (l.reasoning) {
    const q = l.reasoning;
    row('Reasoning', `${q.requests} responses reasoned: ${q.reasoningTokens} reasoning + ${q.answerTokens} answer tokens (${q.tokenCountSource})`);
  }
  const h = data.streamHealth;
  if (h && (h.degraded || h.findings.length)) {
    if (h.excluded) row('Stream health', c.yellow(h.excluded === h.requests ? `none of the ${h.requests} responses really streamed: no TPOT/ITL below` : `${h.excluded} of ${h.requests} responses did not really stream: TPOT/ITL below are from the other ${h.requests - h.excluded}`));
    for (const f of h.findings) out.push(`      ${f.startsWith('WARN') ? c.yellow(f) : c.dim(f)}`);
  }
  if (l.interrupted) row('Interrupted requests', String(l.interrupted));
  for (const [code, n] of Object.entries(l.errors)) row(`  ${code}`, `${n}  ${c.dim(l.errorSamples[code] ?? '')}`);
  const metrics = Object.keys(l.percentiles);
  if (metrics.length) {
    const header = ['Metric', ...l.stats.map((s) => s.replace(/^p\((.*)\)$/, 'p$1'))];
    const rows = metrics.map((m) => [LABELS[m] ?? m, ...l.stats.map((s) => num(l.percentiles[m]![s] ?? NaN))]);
    out.push('', ...table(header, rows).map((x) => '    ' + x));
  }
  return out;
}

export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (l: string, m: string, r: string) => l + widths.map((w) => '─'.repeat(w + 2)).join(m) + r;
  const fmtRow = (r: string[]) => '│' + r.map((v, i) => ' ' + (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!)) + ' ').join('│') + '│';
  return [line('┌', '┬', '┐'), fmtRow(header), line('├', '┼', '┤'), ...rows.map(fmtRow), line('└', '┴', '┘')];
}
