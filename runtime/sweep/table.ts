/** Text renderings of sweep and capacity results (strings; the CLI prints them). */
import type { LevelResult } from './runner.ts';
import { fmtNum } from './slo.ts';

const HEAD = ['Level', 'req/s', 'out tok/s', 'TTFT p50', 'TTFT p99', 'TPOT p50', 'TPOT p99', 'E2E p50', 'E2E p99', 'success'];

function ms(v: number | null): string {
  return v === null ? '-' : fmtNum(v);
}

/** One row per level: achieved throughput, latency percentiles (ms), success rate, goodput and SLO verdict. */
export function renderLevelsTable(levels: readonly LevelResult[], opts: { slo: boolean }): string {
  const head = [...HEAD, ...(opts.slo ? ['goodput', 'SLOs'] : [])];
  const rows = levels.map((l) => {
    const s = l.stats;
    const row = [
      l.label,
      fmtNum(s.requestThroughput),
      fmtNum(s.outputTokenThroughput),
      ms(l.latency.llm_ttft.p50),
      ms(l.latency.llm_ttft.p99),
      ms(l.latency.llm_tpot.p50),
      ms(l.latency.llm_tpot.p99),
      ms(l.latency.llm_e2e.p50),
      ms(l.latency.llm_e2e.p99),
      `${(s.successRate * 100).toFixed(1)}%`,
    ];
    if (opts.slo) row.push(l.goodput === null ? '-' : fmtNum(l.goodput), l.saturated ? '✗ saturated' : l.ok ? '✓' : '✗');
    return row;
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => [...r[i]!].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n') + '\n';
}

/** One progress line for a finished level (stderr). */
export function levelLine(l: LevelResult): string {
  const s = l.stats;
  const parts = [
    `${fmtNum(s.requestThroughput)} req/s`,
    `${fmtNum(s.outputTokenThroughput)} tok/s`,
    `TTFT p99 ${ms(l.latency.llm_ttft.p99)} ms`,
    `TPOT p99 ${ms(l.latency.llm_tpot.p99)} ms`,
    `${(s.successRate * 100).toFixed(1)}% ok`,
  ];
  if (l.goodput !== null) parts.push(`goodput ${fmtNum(l.goodput)} req/s`);
  const verdict = l.slo.length || l.saturated ? (l.ok ? ' ✓' : ` ✗ ${l.failReason}`) : '';
  return `${l.label}: ${parts.join(', ')}${verdict}`;
}
