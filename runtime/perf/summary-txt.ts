/**
 * performance_summary.txt: the closing report evalscope (1.6 and later) writes beside its run folders,
 * with the same sections and figures: a title panel, "Basic Information", "Performance Overview" (one
 * row per run) and "Per-Request Metrics" (avg, p50, p99, max per metric and run). Tables are drawn
 * in the box style of rich's Table. Embedding and rerank runs get evalscope's other report: input
 * tokens in the basic information and one "Detailed Performance Metrics" table (latency and input
 * throughput); multi-turn runs add evalscope's Turns/Req, Cache Hit and first / later-turn TTFT rows.
 * Pure: returns the text.
 */
import type { PerfResult } from './report.ts';

type Align = 'left' | 'right';

/** A table in rich's default style (heavy head, light body). */
export function boxTable(title: string | null, header: string[] | null, rows: string[][], aligns: Align[], sections: number[] = []): string {
  const all = header ? [header, ...rows] : rows;
  const widths = (header ?? rows[0] ?? []).map((_h, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const pad = (s: string, i: number) => (aligns[i] === 'left' ? s.padEnd(widths[i]!) : s.padStart(widths[i]!));
  const line = (l: string, m: string, r: string, f: string) => l + widths.map((w) => f.repeat(w + 2)).join(m) + r;
  const row = (cells: string[], v: string) => v + cells.map((c, i) => ` ${pad(c, i)} `).join(v) + v;
  const out: string[] = [];
  const width = widths.reduce((a, w) => a + w + 3, 1);
  if (title) out.push(' '.repeat(Math.max(0, Math.floor((width - title.length) / 2))) + title);
  if (header) {
    out.push(line('┏', '┳', '┓', '━'), row(header, '┃'), line('┡', '╇', '┩', '━'));
  } else {
    out.push(line('┌', '┬', '┐', '─'));
  }
  rows.forEach((r, i) => {
    if (sections.includes(i)) out.push(line('├', '┼', '┤', '─'));
    out.push(row(r, '│'));
  });
  out.push(line('└', '┴', '┘', '─'));
  return out.join('\n');
}

function panel(text: string, width = 80): string {
  const inner = width - 2;
  return [`╭${'─'.repeat(inner)}╮`, `│ ${text.padEnd(inner - 1)}│`, `╰${'─'.repeat(inner)}╯`].join('\n');
}

const f = (v: number | undefined, digits: number) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '-');

/** Python's f'{x:,}' for a float: thousands separators, repr's decimals. */
function thousands(x: number): string {
  const [int, frac] = (Number.isInteger(x) ? `${x}.0` : String(x)).split('.') as [string, string];
  return `${int.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${frac}`;
}

export interface SummaryInfo {
  modelId: string;
  dataset: string;
  api: string;
  outputsDir: string;
}

function byLoad(results: PerfResult[]): PerfResult[] {
  return [...results].sort((a, b) => {
    const ca = a.run.parallel === -1 ? Infinity : a.run.parallel;
    const cb = b.run.parallel === -1 ? Infinity : b.run.parallel;
    if (ca !== cb) return ca - cb;
    return (a.run.rate === -1 ? Infinity : a.run.rate) - (b.run.rate === -1 ? Infinity : b.run.rate);
  });
}

const percentile = (r: PerfResult, label: string, key: string) => {
  const v = r.latest.percentiles.find((p) => p.Percentiles === label)?.[key];
  return typeof v === 'number' && v !== 0 && Number.isFinite(v) ? v : undefined;
};

function basicInfo(info: SummaryInfo, tokenRows: Array<[string, string]>, totalTime: number): string {
  return boxTable(
    null,
    null,
    [['Model', info.modelId], ['Test Dataset', info.dataset], ['API Type', info.api], ...tokenRows, ['Total Test Time', `${totalTime.toFixed(2)} seconds`], ['Output Path', info.outputsDir]].map(([a, b]) => [a!.padEnd(25), b!.padEnd(52)]),
    ['left', 'left'],
  );
}

/** evalscope's report of embedding / rerank runs. */
function renderBatchSummary(entries: PerfResult[], info: SummaryInfo): string {
  let totalTokens = 0;
  let totalTime = 0;
  for (const r of entries) {
    totalTokens += (r.latest.keys['Avg Input Tokens'] ?? 0) * (r.latest.keys['Success Requests'] ?? 0);
    totalTime += r.latest.keys['Test Duration (s)'] ?? 0;
  }
  const basic = basicInfo(info, [['Total Input Tokens', `${Math.round(totalTokens).toLocaleString('en-US')} tokens`], ['Avg Input Rate', totalTime > 0 ? `${(totalTokens / totalTime).toFixed(2)} tokens/sec` : 'N/A']], totalTime);
  const rows = entries.map((r) => {
    const k = r.latest.keys;
    const total = k['Total Requests'] ?? 0;
    return [
      r.run.parallel === -1 ? 'INF' : String(r.run.parallel),
      r.run.rate === -1 ? 'INF' : r.run.rate.toFixed(2),
      f(k['Req Throughput (req/s)'], 2),
      f(k['Avg Latency (s)'], 3),
      f(percentile(r, '99%', 'Latency (s)'), 3),
      f(k['Input Throughput (tok/s)'], 2),
      (percentile(r, '99%', 'Input (tok/s)') ?? 0).toFixed(2),
      f(k['Avg Input Tokens'], 1),
      `${(total > 0 ? Math.round(((k['Success Requests'] ?? 0) / total) * 1000) / 10 : 0).toFixed(1)}%`,
    ];
  });
  const detail = boxTable('Detailed Performance Metrics', ['Conc.', 'Rate', 'RPS', 'Avg Lat.(s)', 'P99 Lat.(s)', 'Avg Inp.TPS', 'P99 Inp.TPS', 'Avg Inp.Tok', 'Success Rate'], rows, ['right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right']);
  return [panel('Embedding/Rerank Performance Test Summary'), '', 'Basic Information:', basic, '', '', detail, ''].join('\n');
}

export function renderPerformanceSummary(results: PerfResult[], info: SummaryInfo): string {
  const entries = byLoad(results);
  if (entries[0]?.batch) return renderBatchSummary(entries, info);
  let totalTokens = 0;
  let totalTime = 0;
  for (const r of entries) {
    const k = r.latest.keys;
    totalTokens += (k['Avg Output Tokens'] ?? 0) * (k['Success Requests'] ?? 0);
    totalTime += k['Test Duration (s)'] ?? 0;
  }
  const basic = basicInfo(info, [['Total Generated', `${thousands(totalTokens)} tokens`], ['Avg Output Rate', totalTime > 0 ? `${(totalTokens / totalTime).toFixed(2)} tokens/sec` : 'N/A']], totalTime);
  const conc = (r: PerfResult) => (r.run.parallel === -1 ? '-' : String(r.run.parallel));
  const rate = (r: PerfResult) => (r.run.rate === -1 ? '-' : r.run.rate.toFixed(2));
  const successRate = (r: PerfResult) => {
    const k = r.latest.keys;
    const total = k['Total Requests'] ?? 0;
    return total > 0 ? Math.round(((k['Success Requests'] ?? 0) / total) * 1000) / 10 : 0;
  };
  const overview = boxTable(
    'Performance Overview',
    ['Conc.', 'Rate', 'Num', 'RPS', 'Gen/s', 'Success'],
    entries.map((r) => {
      const k = r.latest.keys;
      return [conc(r), rate(r), String(k['Total Requests'] ?? 0), f(k['Req Throughput (req/s)'], 2), f(k['Output Throughput (tok/s)'], 2), `${successRate(r).toFixed(1)}%`];
    }),
    ['right', 'right', 'right', 'right', 'right', 'right'],
  );
  const hasTtft = entries.some((r) => r.latest.keys['Avg TTFT (ms)']);
  const hasTpot = entries.some((r) => r.latest.keys['Avg TPOT (ms)']);
  const hasOut = entries.some((r) => r.latest.keys['Avg Output Tokens']);
  const hasSpec = entries.some((r) => (r.latest.keys['Avg Decoded Tok/Iter'] ?? 0) > 0);
  const rows: string[][] = [];
  const sections: number[] = [];
  for (const r of entries) {
    if (rows.length) sections.push(rows.length);
    const k = r.latest.keys;
    const pct = (label: string, key: string) => percentile(r, label, key);
    let first = true;
    const add = (metric: string, avg: number | undefined, key: string | null, digits = 3) => {
      rows.push([first ? conc(r) : '', first ? rate(r) : '', metric, f(avg, digits), key ? f(pct('50%', key), digits) : '-', key ? f(pct('99%', key), digits) : '-', key ? f(pct('max', key), digits) : '-']);
      first = false;
    };
    add('Latency (s)', k['Avg Latency (s)'], 'Latency (s)');
    if (hasTtft) add('TTFT (ms)', k['Avg TTFT (ms)'], 'TTFT (ms)', 1);
    if (hasTpot) add('TPOT (ms)', k['Avg TPOT (ms)'], 'TPOT (ms)', 1);
    add('Input Tokens', k['Avg Input Tokens'], 'Input tokens', 1);
    if (hasOut) add('Output Tokens', k['Avg Output Tokens'], 'Output tokens', 1);
    const scalar = (metric: string, v: string) => rows.push(['', '', metric, v, '-', '-', '-']);
    if (k['Avg Turns/Request'] !== undefined) scalar('Turns/Req', f(k['Avg Turns/Request'], 2));
    if (k['KV Cache Hit Rate (%)'] !== undefined) scalar('Cache Hit (%)', `${f(k['KV Cache Hit Rate (%)'], 1)}%`);
    if (k['Avg First-Turn TTFT (ms)'] !== undefined) scalar('1st-Turn TTFT (ms)', f(k['Avg First-Turn TTFT (ms)'], 1));
    if (k['Avg Subsequent-Turn TTFT (ms)'] !== undefined) scalar('Subseq. TTFT (ms)', f(k['Avg Subsequent-Turn TTFT (ms)'], 1));
    if (hasTpot) {
      const tpot = k['Avg TPOT (ms)'] ?? 0;
      add('Decode toks/s', tpot > 0 ? 1000 / tpot : undefined, null, 2);
    }
    if (hasSpec) {
      add('Decoded Tok/Iter', k['Avg Decoded Tok/Iter'], null, 2);
      const sr = k['Spec. Accept Rate'];
      rows.push(['', '', 'Spec. Accept Rate', sr !== undefined ? `${(sr * 100).toFixed(1)}%` : '-', '-', '-', '-']);
    }
  }
  const perRequest = boxTable('Per-Request Metrics', ['Conc.', 'Rate', 'Metric', 'avg', 'p50', 'p99', 'max'], rows, ['right', 'right', 'left', 'right', 'right', 'right', 'right'], sections);
  return [panel('Performance Test Summary Report'), '', 'Basic Information:', basic, '', '', overview, '', '', perRequest, ''].join('\n');
}
