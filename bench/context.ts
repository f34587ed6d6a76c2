/** What every scenario gets and returns. */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { BenchSize } from './config.ts';
import { renderProfile } from './profile-top.ts';
import type { Row } from './table.ts';

export interface BenchCtx {
  size: BenchSize;
  /** scratch folder for scripts, traces, records, summaries */
  tmp: string;
  /** BENCH_PROFILE=1: where llmperf processes write .cpuprofile files */
  profileDir: string | undefined;
  log(msg: string): void;
}

export interface ScenarioOut {
  rows: Row[];
  notes: Array<[string, string]>;
  appendix: string[];
}

/** A fresh sub-folder of ctx.profileDir for one process, or undefined when not profiling. */
export function profileSubdir(ctx: BenchCtx, name: string): string | undefined {
  return ctx.profileDir ? path.join(ctx.profileDir, name) : undefined;
}

/** Renders the profile(s) found in `dir` as an appendix section. */
export function profileAppendix(title: string, dir: string | undefined): string[] {
  if (!dir) return [];
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  } catch {
    return [];
  }
  // Node names them CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the main thread.
  files.sort((a, b) => a.split('.').slice(-3, -1).join('.').localeCompare(b.split('.').slice(-3, -1).join('.')));
  return files.map((f, i) => `## CPU profile: ${title}, ${i === 0 ? 'main thread' : `worker thread ${i}`}\n\n${renderProfile(path.join(dir, f))}`);
}
