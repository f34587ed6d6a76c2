/**
 * One test run in phases, the same for every front door (`llmperf run`, `perf`, `sweep`, `capacity`,
 * the programmatic run(); `inspect` stops after the second):
 *
 *     loadScript (load.ts)   bundle, init code in the probe VU, exports
 *  -> prepareRun (prepare.ts) options, scenarios, thresholds, plans, target (URL or embedded mock, probe, API adapters)
 *  -> execute (execute.ts)    LLM client, listeners, setup(), VUs, scenarios, teardown(), threshold evaluation
 *  -> finishRun (finish.ts)   summary, run directory (store, report), handleSummary, --summary-export
 *
 * runTest runs the first three; runtime/api.ts's run() adds the fourth.
 */
import type { RunOptions as PublicRunOptions } from '../../types/run.d.ts';
import type { Bundle } from '../bundle/bundle.ts';
import type { ClientHealthSummary } from './client-health.ts';
import type { ResponseFacts } from '../summary/provenance.ts';
import type { ExitCodeValue } from '../exit-codes.ts';
import type { Registry } from '../metrics/registry.ts';
import type { ResolvedOptions, ScriptOptions } from '../options/resolve.ts';
import type { Threshold, ThresholdEvaluator } from '../thresholds/index.ts';
import type { SampleListener } from './emitter.ts';
import { execute } from './execute.ts';
import { defaultIoThreads, LlmClient } from '../llm/client.ts';
import { loadScript, type LoadRequest, type ScriptSource } from './load.ts';
import { prepareRun, type PlannedScenario, type PrepareRequest } from './prepare.ts';
import type { ScriptErrorLog } from './script-errors.ts';
import type { FileAccess } from './file-access.ts';
import type { StopReason } from './scenario.ts';

/** A run's request: the public run() options (types/run.d.ts) the phases read, and the commands' own hooks. */
export interface RunRequest
  extends Omit<LoadRequest, 'script' | 'tokenizer'>,
    PrepareRequest,
    Pick<PublicRunOptions, 'signal' | 'hardSignal' | 'listeners' | 'setupOnce' | 'setupDataFile'> {
  script: ScriptSource;
  /** called once the plan is known, before setup() and the VUs start (run directory, progress display) */
  onStart?: (info: RunStartInfo) => void | Promise<void>;
  /** called every second while running */
  onTick?: (info: RunTick) => void;
}

export interface RunStartInfo {
  bundle: Bundle;
  options: ResolvedOptions;
  scriptOptions: ScriptOptions;
  plans: PlannedScenario[];
  targetUrl: string;
  embeddedMock: boolean;
  registry: Registry;
  /** attaches a listener (store, outputs) from here on; no sample is emitted before onStart */
  attach(l: SampleListener): void;
  /** the compiled thresholds (live views such as the dashboard evaluate them as the run goes; set by runTest) */
  thresholds?: readonly Threshold[];
}

export interface RunTick {
  elapsedMs: number;
  scenarios: Array<{ name: string; progress: number; activeVUs: number; iterations: number; plan: PlannedScenario['plan'] }>;
  inflight: number;
}

export interface RunResult {
  exitCode: ExitCodeValue;
  /** why the run stopped early, if it did */
  stopReason: StopReason;
  abortMessage?: string;
  registry: Registry;
  evaluator: ThresholdEvaluator;
  options: ResolvedOptions;
  scriptOptions: ScriptOptions;
  plans: PlannedScenario[];
  durationMs: number;
  startedAt: Date;
  targetUrl: string;
  embeddedMock: boolean;
  peakInflight: number;
  errorCounts: Record<string, number>;
  errorSamples: Record<string, string>;
  scriptErrors: ReturnType<ScriptErrorLog['entries']>;
  checks: Map<string, { passes: number; fails: number }>;
  setupData: string | undefined;
  handleSummary?: (dataJson: string) => Promise<Record<string, string> | undefined>;
  /** what the script may write (handleSummary's files); set by runTest */
  files?: FileAccess;
  /** must be called when the caller is done with handleSummary (closes the client, the isolates and an owned target) */
  close(): Promise<void>;
  bundle: Bundle;
  vusMax: number;
  /** whether the client was the limit (summary.json `client`) */
  client?: ClientHealthSummary;
  /** token provenance, stream health and reasoning of the responses (runtime/summary/provenance.ts) */
  responses?: ResponseFacts;
  iterations: number;
  droppedIterations: number;
  interruptedIterations: number;
}

/** load -> prepare -> execute; the caller finishes (runtime/engine/finish.ts) and then calls result.close(). */
export async function runTest(req: RunRequest): Promise<RunResult> {
  // the I/O threads start while the script is bundled and its VUs built (execute opens them)
  LlmClient.warm(req.ioThreads ?? defaultIoThreads());
  const loaded = await loadScript({ ...req, tokenizer: req.overrides?.tokenizer });
  let prepared: Awaited<ReturnType<typeof prepareRun>> | undefined;
  const closeAll = async () => {
    loaded.dispose();
    if (prepared?.ownsTarget) await prepared.target?.close().catch(() => undefined);
  };
  try {
    prepared = await prepareRun(loaded, req);
    const thresholds = prepared.thresholds;
    const onStart = req.onStart;
    const result = await execute(loaded, prepared, onStart ? { ...req, onStart: (i) => onStart({ ...i, thresholds }) } : req);
    result.files = loaded.files;
    const closeClient = result.close;
    result.close = async () => {
      await closeClient();
      await closeAll();
    };
    return result;
  } catch (e) {
    await closeAll();
    throw e;
  }
}
