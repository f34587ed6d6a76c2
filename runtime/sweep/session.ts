/**
 * What `llmperf sweep` and `llmperf capacity` share: the request shape, the script probe (options.sweep,
 * SLO metric validation), the results folder and a log that says "benchmarking the built-in mock" once.
 */
import { loadScriptOptions } from '../engine/probe.ts';
import type { ScriptOptions } from '../options/resolve.ts';
import { bindSlos, type Slo } from './slo.ts';
import type { LevelShape } from './levels.ts';
import type { LevelResult, LevelRunnerOptions } from './runner.ts';
import { createSweepDir, levelDir } from './output.ts';

export interface SessionRequest {
  /** the script path */
  script: string;
  /** run() options shared by every level: overrides (target), env, apis, config, mockOptions, ... */
  base: LevelRunnerOptions['base'];
  shape: LevelShape;
  slos: Slo[];
  signal?: AbortSignal;
  hardSignal?: AbortSignal;
  /** keep the results folder (sweep.json, report.html); default true */
  save?: boolean;
  outDir?: string;
  /** also a full run directory per level under levels/ */
  saveLevels?: boolean;
  /** progress lines and the engine's messages (stderr in the CLI) */
  log(line: string): void;
}

/** Runs the script's init code once: its options (options.sweep) and a check of the SLOs' metrics. */
export async function probeScript(req: SessionRequest): Promise<ScriptOptions> {
  const env: Record<string, string> = {};
  if (req.base.systemEnv !== false) for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  Object.assign(env, req.base.env ?? {});
  const probe = await loadScriptOptions({ path: req.script }, env, { log: req.log });
  bindSlos(req.slos, probe.registry);
  return probe.options;
}

/** A log that passes the embedded-mock notice only the first time (every level starts its own mock). */
export function onceLog(log: (l: string) => void): (l: string) => void {
  let seenMock = false;
  return (l) => {
    if (l.startsWith('no target URL given')) {
      if (seenMock) return;
      seenMock = true;
    }
    log(l);
  };
}

export interface LevelSink {
  /** the results folder (undefined with save: false) */
  dir: string | undefined;
  /** where level number i keeps its run directory (undefined unless saveLevels) */
  levelDir(i: number, spec: LevelResult['spec']): string | undefined;
}

export function openResults(req: SessionRequest, kind: 'sweep' | 'capacity'): LevelSink {
  const dir = req.save === false ? undefined : createSweepDir(kind, req.script, req.outDir);
  return { dir, levelDir: (i, spec) => (dir && req.saveLevels ? levelDir(dir, i, spec) : undefined) };
}
