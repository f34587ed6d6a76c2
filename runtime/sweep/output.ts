/**
 * The folder a sweep or a capacity search leaves: `llmperf-results/<kind>-<script>-<stamp>/` (or
 * --out-dir) with sweep.json (every level: label, load, summary, SLO results, goodput), report.html
 * (every level's verdict, goodput and SLOs, the capacity answer, the whole duration, metric-vs-load
 * and throughput-vs-latency curves, and each level's details), capacity.json for a search, and with
 * --save-levels one full run directory per level under levels/. Also the level as the live
 * dashboard shows it (dashLevel).
 */
import path from 'node:path';
import type { DashLevel } from '../dashboard/index.ts';
import { writeSweepReport, type SweepMeta, type SweepPoint } from '../report/index.ts';
import { createRunDir, safeName, writeJson } from '../results/run-dir.ts';
import type { LevelResult } from './runner.ts';

export interface SweepLevelJson extends SweepPoint {
  kind: LevelResult['spec']['kind'];
  value: number;
  ok: boolean;
  failReason: string | null;
  saturated: string | null;
  goodput: number | null;
  slo: Array<{ source: string; observed: number | null; ok: boolean }>;
  /** throughput of the steady window (after the warm-up) */
  stats: LevelResult['stats'];
  latency: LevelResult['latency'];
  /** wall-clock time of the level, setup and graceful stop included, ms */
  wallMs: number;
  runDir?: string;
}

export function createSweepDir(kind: 'sweep' | 'capacity', script: string, outDir?: string): string {
  return createRunDir({ ...(outDir ? { outDir } : {}), name: `${kind}-${safeName(path.basename(script))}` });
}

/** The run directory of level number `i` (from 0) under the sweep folder. */
export function levelDir(root: string, i: number, l: LevelResult['spec']): string {
  return path.join(root, 'levels', `${String(i + 1).padStart(2, '0')}-${l.kind === 'concurrency' ? 'vus' : 'rate'}-${l.value}`);
}

export function toJson(l: LevelResult): SweepLevelJson {
  return {
    label: l.label,
    ...(l.spec.kind === 'concurrency' ? { concurrency: l.spec.value } : { rate: l.spec.value }),
    kind: l.spec.kind,
    value: l.spec.value,
    ok: l.ok,
    failReason: l.failReason,
    saturated: l.saturated,
    goodput: l.goodput,
    slo: l.slo.map((r) => ({ source: r.slo.source, observed: r.observed, ok: r.ok })),
    stats: l.stats,
    latency: l.latency,
    wallMs: Math.round(l.wallMs),
    ...(l.runDir ? { runDir: l.runDir } : {}),
    summary: l.summary,
  };
}

/** A finished level as the live dashboard shows it. */
export function dashLevel(l: LevelResult, withSlos: boolean): Omit<DashLevel, 'run'> {
  return {
    label: l.label,
    kind: l.spec.kind,
    value: l.spec.value,
    requestThroughput: l.stats.requestThroughput,
    outputTokenThroughput: l.stats.outputTokenThroughput,
    successRate: l.stats.successRate,
    goodput: l.goodput,
    ttft: l.latency.llm_ttft,
    tpot: l.latency.llm_tpot,
    e2e: l.latency.llm_e2e,
    ok: withSlos || l.saturated ? l.ok : null,
    failReason: l.failReason,
    slo: l.slo.map((r) => ({ source: r.slo.source, observed: r.observed, ok: r.ok })),
  };
}

/** Writes sweep.json and report.html (levels in the order given); returns the report's path. */
export async function writeSweepFiles(dir: string, levels: readonly LevelResult[], title: string, meta: SweepMeta): Promise<string | null> {
  writeJson(path.join(dir, 'sweep.json'), levels.map(toJson));
  if (!levels.length) return null;
  return writeSweepReport(path.join(dir, 'report.html'), levels.map(toJson), { title, meta, timelines: levels.map((l) => l.timeline) });
}
