/**
 * `llmperf compare <runA> <runB> [...]`: the headline figures of several runs side by side, with
 * the change of each run against the first (the baseline). Every figure has a direction (latency:
 * lower is better; throughput, success rate, goodput: higher is better), which colours the deltas
 * and decides what counts as a regression for `--fail-on-regression`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Chalk } from 'chalk';
import { ConfigError } from '../errors.ts';
import type { SummaryData } from '../summary/data.ts';
import { RUN_FILES } from './run-dir.ts';

export interface Figure {
  key: string;
  label: string;
  unit: string;
  better: 'higher' | 'lower';
  get(s: SummaryData): number | null;
}

function pct(metric: string, p: number): (s: SummaryData) => number | null {
  return (s) => {
    const v = s.llm?.percentiles?.[metric]?.[`p(${p})`] ?? s.metrics?.[metric]?.values?.[`p(${p})`] ?? (p === 50 ? s.metrics?.[metric]?.values?.med : undefined);
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  };
}

const lat = (m: string, name: string): Figure[] => [
  { key: `${name.toLowerCase()}_p50`, label: `${name} p50`, unit: 'ms', better: 'lower', get: pct(m, 50) },
  { key: `${name.toLowerCase()}_p99`, label: `${name} p99`, unit: 'ms', better: 'lower', get: pct(m, 99) },
];

export const FIGURES: Figure[] = [
  { key: 'request_throughput', label: 'Request throughput', unit: 'req/s', better: 'higher', get: (s) => s.llm.requestThroughput },
  { key: 'output_token_throughput', label: 'Output token throughput', unit: 'tok/s', better: 'higher', get: (s) => s.llm.outputTokenThroughput },
  ...lat('llm_ttft', 'TTFT'),
  ...lat('llm_tpot', 'TPOT'),
  ...lat('llm_itl', 'ITL'),
  ...lat('llm_e2e', 'E2E'),
  { key: 'success_rate', label: 'Success rate', unit: '%', better: 'higher', get: (s) => s.llm.successRate * 100 },
  { key: 'goodput', label: 'Goodput', unit: 'req/s', better: 'higher', get: (s) => s.llm.goodput },
];

export interface LoadedRun {
  label: string;
  path: string;
  summary: SummaryData;
}

/** Reads a run directory's summary.json, or a summary JSON file. */
export function loadRun(p: string): LoadedRun {
  const abs = path.resolve(p);
  if (!existsSync(abs)) throw new ConfigError(`compare: ${p} does not exist: give run directories or summary.json files`);
  const file = statSync(abs).isDirectory() ? path.join(abs, RUN_FILES.summary) : abs;
  if (!existsSync(file)) throw new ConfigError(`compare: no ${RUN_FILES.summary} in ${p} (the run may have been killed before it finished)`);
  let s: SummaryData;
  try {
    s = JSON.parse(readFileSync(file, 'utf8')) as SummaryData;
  } catch (e) {
    throw new ConfigError(`compare: ${file} is not valid JSON: ${(e as Error).message}`);
  }
  if (!s || typeof s !== 'object' || !s.llm || typeof s.schemaVersion !== 'number') throw new ConfigError(`compare: ${file} is not an llmperf summary (no schemaVersion/llm section)`);
  const label = path.basename(file) === RUN_FILES.summary ? path.basename(path.dirname(file)) : path.basename(file).replace(/\.json$/, '');
  return { label, path: file, summary: s };
}

/** "5%", "5" or "0.5%" -> 5 / 5 / 0.5 (percent). */
export function parsePercent(v: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(v);
  if (!m) throw new ConfigError(`--fail-on-regression ${JSON.stringify(v)}: give a percentage such as 5%`);
  return Number(m[1]);
}

export interface FigureRow {
  key: string;
  label: string;
  unit: string;
  better: 'higher' | 'lower';
  values: Array<number | null>;
  /** value - baseline value (null for the baseline or when unknown) */
  deltas: Array<number | null>;
  /** change in % of the baseline value */
  percent: Array<number | null>;
  /** worse than the baseline by more than the allowed % */
  regressed: boolean[];
}

export interface Comparison {
  runs: Array<{ label: string; path: string; startedAt: string | null; target: string | null }>;
  failOnRegressionPercent: number | null;
  figures: FigureRow[];
  regressions: Array<{ run: string; key: string; label: string; percent: number }>;
}

export function compareRuns(runs: LoadedRun[], failPercent: number | null): Comparison {
  if (runs.length < 2) throw new ConfigError('compare: give at least two runs (run directories or summary.json files)');
  const regressions: Comparison['regressions'] = [];
  const figures = FIGURES.map((f): FigureRow => {
    const values = runs.map((r) => {
      const v = f.get(r.summary);
      return typeof v === 'number' && Number.isFinite(v) ? v : null;
    });
    const base = values[0] ?? null;
    const deltas = values.map((v, i) => (i === 0 || v === null || base === null ? null : v - base));
    const percent = deltas.map((d) => (d === null || base === null || base === 0 ? null : (d / Math.abs(base)) * 100));
    const regressed = percent.map((p, i) => {
      if (p === null || failPercent === null) return false;
      const worse = f.better === 'lower' ? p : -p;
      const hit = worse > failPercent;
      if (hit) regressions.push({ run: runs[i]!.label, key: f.key, label: f.label, percent: p });
      return hit;
    });
    return { key: f.key, label: f.label, unit: f.unit, better: f.better, values, deltas, percent, regressed };
  });
  return {
    runs: runs.map((r) => ({ label: r.label, path: r.path, startedAt: r.summary.state?.startedAt ?? null, target: r.summary.target?.url ?? null })),
    failOnRegressionPercent: failPercent,
    figures,
    regressions,
  };
}

function fmt(v: number | null, unit: string): string {
  if (v === null) return '-';
  const a = Math.abs(v);
  const digits = unit === '%' ? 2 : a >= 1000 ? 0 : a >= 100 ? 1 : 2;
  return v.toFixed(digits);
}

function signed(v: number | null, unit: string, suffix = ''): string {
  if (v === null) return '-';
  const t = fmt(v, unit);
  if (Number(t) === 0) return `±${fmt(0, unit)}${suffix}`;
  return (v > 0 ? '+' : '') + t + suffix;
}

/** The comparison as a text table; colours only when `color`. */
export function renderComparison(c: Comparison, opts: { color: boolean }): string {
  const ch = new Chalk({ level: opts.color ? 1 : 0 });
  const letters = c.runs.map((_, i) => String.fromCharCode(65 + (i % 26)) + (i >= 26 ? String(Math.floor(i / 26)) : ''));
  const lines: string[] = [];
  c.runs.forEach((r, i) => lines.push(`  ${ch.bold(letters[i]!)}${i === 0 ? ' (baseline)' : ''}: ${r.label}${r.startedAt ? `  started ${r.startedAt}` : ''}${r.target ? `  target ${r.target}` : ''}`));
  lines.push('');
  const header = ['Metric', 'Unit', letters[0]!];
  for (let i = 1; i < c.runs.length; i++) header.push(letters[i]!, `Δ ${letters[i]}`, `% ${letters[i]}`);
  type Cell = { text: string; style?: (s: string) => string; right?: boolean };
  const rows: Cell[][] = c.figures.map((f) => {
    const cells: Cell[] = [{ text: f.label }, { text: f.unit }, { text: fmt(f.values[0]!, f.unit), right: true }];
    for (let i = 1; i < c.runs.length; i++) {
      const p = f.percent[i]!;
      const good = p === null || Math.abs(p) < 1 ? undefined : (f.better === 'higher') === p > 0;
      const style = f.regressed[i] ? (s: string) => ch.red.bold(s) : good === undefined ? undefined : good ? ch.green : ch.red;
      cells.push({ text: fmt(f.values[i]!, f.unit), right: true });
      cells.push({ text: signed(f.deltas[i]!, f.unit), right: true, ...(style ? { style } : {}) });
      cells.push({ text: signed(p, '%', '%'), right: true, ...(style ? { style } : {}) });
    }
    return cells;
  });
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j]!.text.length)));
  lines.push(header.map((h, j) => (j < 2 ? h.padEnd(widths[j]!) : h.padStart(widths[j]!))).join('  '));
  lines.push(widths.map((w) => '─'.repeat(w)).join('  '));
  for (const r of rows) {
    lines.push(
      r
        .map((cell, j) => {
          const t = cell.right ? cell.text.padStart(widths[j]!) : cell.text.padEnd(widths[j]!);
          return cell.style ? cell.style(t) : t;
        })
        .join('  ')
        .trimEnd(),
    );
  }
  if (c.failOnRegressionPercent !== null) {
    lines.push('');
    if (c.regressions.length === 0) lines.push(ch.green(`no figure regressed by more than ${c.failOnRegressionPercent}% against ${letters[0]}`));
    for (const r of c.regressions) {
      lines.push(ch.red(`REGRESSION ${r.label}: ${r.percent > 0 ? '+' : ''}${r.percent.toFixed(1)}% in ${r.run} (allowed ${c.failOnRegressionPercent}%)`));
    }
  }
  return lines.join('\n') + '\n';
}
