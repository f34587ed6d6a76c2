/**
 * Phase 2 of every run, `prepareRun`: from a loaded script to what the run will do. Resolves the
 * options through every layer (runtime/options/resolve.ts), applies a scenario override (sweep and
 * capacity levels) and this instance's execution segment, reads what executors need before they can
 * plan (a replay trace), checks the exec functions, compiles the thresholds, plans every scenario,
 * and opens the target (runtime/engine/target.ts) unless one is handed in. `llmperf inspect` stops
 * here, without opening a target.
 */
import { ScriptError } from '../errors.ts';
import { applySegment, parseScenario, planScenario, prepareScenarios, type ExecutionPlan, type ScenarioConfig } from '../executors/index.ts';
import { isFirstSegment, parseSegment } from '../executors/segment.ts';
import type { ExecutionSegment } from '../executors/segment.ts';
import type { RunOptions as PublicRunOptions } from '../../types/run.d.ts';
import { resolveWithSources, type OptionSources, type ResolvedOptions } from '../options/resolve.ts';
import { compileThresholds, ThresholdEvaluator, type Threshold } from '../thresholds/index.ts';
import { bindScenarioThresholds } from '../thresholds/scenarios.ts';
import type { LoadedScript } from './load.ts';
import { openTarget, type Target } from './target.ts';
import { isPluginSpec } from '../llm/registry.ts';
import { checkMachineLimits } from './limits.ts';

function toAbortSignal(s: NonNullable<PrepareRequest['signal']>): AbortSignal {
  if (s instanceof AbortSignal) return s;
  const ac = new AbortController();
  if (s.aborted) ac.abort();
  else s.addEventListener('abort', () => ac.abort(), { once: true });
  return ac.signal;
}

/** What preparing needs: the public run() options about options, target and scale-out (types/run.d.ts), and the commands' own. */
export interface PrepareRequest extends Pick<PublicRunOptions, 'overrides' | 'config' | 'segment' | 'embeddedMock' | 'mockOptions' | 'testConnection' | 'noThresholds' | 'vusPerIsolate' | 'vusPerContext' | 'signal'> {
  /** replaces the resolved scenarios (sweeps and capacity searches: one load level per run); raw scenario objects by name */
  scenarioOverride?: Record<string, Record<string, unknown>>;
  /** notices already printed (a sweep's levels share one set, so each notice is printed once) */
  notices?: Set<string>;
  /** an open target to use (the caller closes it); else prepareRun opens one and the run closes it */
  target?: Target;
}

export interface PlannedScenario {
  scenario: ScenarioConfig;
  plan: ExecutionPlan;
}

export interface PreparedRun {
  options: ResolvedOptions;
  /** the layer each resolved option came from */
  sources: OptionSources;
  segment: ExecutionSegment | undefined;
  /** whether this instance runs setup() under --setup-once (its segment starts at 0) */
  firstSegment: boolean;
  plans: PlannedScenario[];
  thresholds: Threshold[];
  evaluator: ThresholdEvaluator;
  /** undefined only when prepared without a target (inspect) */
  target: Target | undefined;
  /** the run opened the target and closes it when it ends */
  ownsTarget: boolean;
}

/**
 * The threshold every run has unless the user sets one on llm_req_failed (or --no-thresholds): a run
 * in which requests were made and every one failed fails (exit 99). k6 exits 0 there; an LLM
 * benchmark where nothing succeeded is almost never what was meant (a wrong path, a missing key).
 */
export const ALL_FAILED_THRESHOLD = { metric: 'llm_req_failed', expression: 'rate<1' } as const;

/**
 * `opts.openTarget: false` plans without a target (inspect); `opts.checkLimits: false` skips the
 * machine limits (limits.ts; default: checked when a target opens), for callers that replace the
 * scenarios before running (sweep and capacity sessions).
 */
export async function prepareRun(loaded: LoadedScript, req: PrepareRequest, opts: { openTarget?: boolean; checkLimits?: boolean } = {}): Promise<PreparedRun> {
  const { options, sources } = resolveWithSources(loaded.scriptOptions, loaded.env, req.overrides ?? {}, req.config);
  if (req.scenarioOverride) options.scenarios = Object.entries(req.scenarioOverride).map(([name, raw]) => parseScenario(name, raw));
  const segment = req.segment ? parseSegment(req.segment.segment, req.segment.sequence) : undefined;
  if (segment) options.scenarios = options.scenarios.map((sc) => applySegment(sc, segment));
  options.scenarios = await prepareScenarios(options.scenarios, {
    baseDir: loaded.bundle.baseDir,
    checkRead: (p, what) => loaded.files.checkDataFile(p, what),
    tokenizer: async () => (options.llm.tokenizer ? loaded.services.tokenizer(options.llm.tokenizer) : undefined),
  });
  checkExecFunctions(options.scenarios, loaded.functions);
  const notice = (line: string) => {
    if (req.notices?.has(line)) return;
    req.notices?.add(line);
    loaded.log(line);
  };
  if (!req.noThresholds) {
    const bound = bindScenarioThresholds(options.thresholds, options.scenarios.map((s) => s.name), replacedBy(sources, !!req.scenarioOverride));
    options.thresholds = bound.thresholds;
    for (const n of bound.notices) notice(n);
  }
  const thresholds = req.noThresholds ? [] : compileThresholds(options.thresholds, loaded.registry);
  if (!req.noThresholds && !thresholds.some((t) => t.metric.split('{')[0] === ALL_FAILED_THRESHOLD.metric)) {
    thresholds.push(...compileThresholds({ [ALL_FAILED_THRESHOLD.metric]: ALL_FAILED_THRESHOLD.expression }, loaded.registry).map((t) => ({ ...t, implicit: true })));
  }
  const plans = options.scenarios.map((scenario) => ({ scenario, plan: planScenario(scenario) }));
  if (opts.checkLimits ?? opts.openTarget !== false) checkMachineLimits(plans, req);

  let target = req.target;
  const ownsTarget = !target && opts.openTarget !== false;
  if (options.insecureSkipTLSVerify && opts.openTarget !== false) {
    notice(`WARN insecureSkipTLSVerify (${sources.insecureSkipTLSVerify === 'cli' ? '--insecure-skip-tls-verify' : sources.insecureSkipTLSVerify === 'env' ? 'LLMPERF_INSECURE_SKIP_TLS_VERIFY' : 'options.insecureSkipTLSVerify'}): TLS certificates are not verified, so anyone between llmperf and the endpoint can read and change the traffic, API key included`);
  }
  if (ownsTarget) {
    // an API plugin the script names is host code: from the script's folder (or --allow-read) only
    const apiFromScript = sources['llm.api'] === 'script';
    if (apiFromScript && isPluginSpec(options.llm.api)) loaded.files.checkRead(options.llm.api, 'API plugin (options.llm.api)');
    target = await openTarget({
      llm: options.llm,
      apiDirs: apiFromScript ? [loaded.bundle.baseDir] : [process.cwd(), loaded.bundle.baseDir],
      embeddedMock: req.embeddedMock,
      mockOptions: req.mockOptions,
      testConnection: req.testConnection,
      ...(req.signal ? { probe: { signal: toAbortSignal(req.signal) } } : {}),
      insecureSkipTLSVerify: options.insecureSkipTLSVerify,
      log: loaded.log,
    });
  }
  if (target) {
    options.llm.url = target.url;
    options.llm.api = target.apis.defaultName;
  }
  return { options, sources, segment, firstSegment: isFirstSegment(segment), plans, thresholds, evaluator: new ThresholdEvaluator(thresholds), target, ownsTarget };
}

/** What replaced the script's scenarios, for the re-binding notice (null: they are the script's or the config file's own). */
function replacedBy(sources: OptionSources, override: boolean): string | null {
  if (override) return 'the load level';
  if (sources.scenarios === 'cli') return 'the command line (--vus/--iterations/--duration/--stage)';
  if (sources.scenarios === 'env') return 'the environment (LLMPERF_VUS/ITERATIONS/DURATION/STAGES)';
  return null;
}

/** Every scenario's `exec` must name an exported function; throws ScriptError naming the fix. */
export function checkExecFunctions(scenarios: readonly ScenarioConfig[], functions: readonly string[]): void {
  for (const s of scenarios) {
    if (functions.includes(s.exec)) continue;
    throw new ScriptError(
      s.exec === 'default'
        ? `the script has no default export: add \`export default async function () { ... }\` (or give scenarios.${s.name}.exec)`
        : `scenarios.${s.name}.exec: the script exports no function named "${s.exec}" (exported: ${functions.join(', ') || 'none'})`,
      'NO_EXEC_FUNCTION',
    );
  }
}
