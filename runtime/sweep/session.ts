/**
 * What `llmperf sweep` and `llmperf capacity` share: the request shape, the session (the script's
 * options, SLO metric validation, and one target for every level) and the results folder.
 */
import { loadScript } from '../engine/load.ts';
import { prepareRun } from '../engine/prepare.ts';
import type { Target } from '../engine/target.ts';
import type { ScriptOptions } from '../options/resolve.ts';
import { bindSlos, type Slo } from './slo.ts';
import type { LevelShape } from './levels.ts';
import type { LevelResult, LevelRunnerOptions } from './runner.ts';
import { createSweepDir, levelDir } from './output.ts';
import type { Dashboard } from '../dashboard/index.ts';

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
  /** the live dashboard (--dashboard): every level's run feeds it, and each finished level */
  dashboard?: Dashboard;
}

export interface Session {
  /** the script's exported options (options.sweep) */
  scriptOptions: ScriptOptions;
  /** run() options for every level: the request's base with the shared target */
  base: LevelRunnerOptions['base'];
  /** closes the shared target (stops the embedded mock) */
  close(): Promise<void>;
}

/**
 * Loads the script once (its options, and a check of the SLOs' metrics against its registry), opens
 * the target once (the built-in mock starts, or the real URL is probed, once for all levels), and
 * returns the run() options every level shares.
 */
export async function openSession(req: SessionRequest): Promise<Session> {
  const b = req.base;
  const loaded = await loadScript({ script: { path: req.script }, ...(b.env ? { env: b.env } : {}), ...(b.systemEnv !== undefined ? { systemEnv: b.systemEnv } : {}), ...(b.allowRead ? { allowRead: b.allowRead } : {}), log: req.log, vusPerIsolate: 1, storeBodies: false, ...(b.overrides?.tokenizer ? { tokenizer: b.overrides.tokenizer } : {}) });
  let target: Target | undefined;
  // notices (a threshold re-bound to the level's scenario, TLS verification off) are printed once, not per level
  const notices = b.notices ?? new Set<string>();
  try {
    bindSlos(req.slos, loaded.registry);
    target = (await prepareRun(loaded, { ...(b.overrides ? { overrides: b.overrides } : {}), ...(b.config ? { config: b.config } : {}), ...(b.mockOptions ? { mockOptions: b.mockOptions } : {}), ...(b.testConnection !== undefined ? { testConnection: b.testConnection } : {}), notices }, { checkLimits: false })).target!;
    const t = target;
    return { scriptOptions: loaded.scriptOptions, base: { ...b, target: t, notices }, close: () => t.close() };
  } catch (e) {
    await target?.close();
    throw e;
  } finally {
    loaded.dispose();
  }
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
