/**
 * `--visualizer wandb` / `--wandb-api-key KEY` (evalscope's visualisers): one W&B run for the whole
 * `llmperf perf` invocation, as evalscope's init_visualizer makes it:
 *  - project `perf_benchmark` (or WANDB_PROJECT), entity WANDB_ENTITY (else the key's default),
 *    server WANDB_BASE_URL; run name --name, else `<model>_<YYYYMMDD_HHMMSS>`
 *  - config: evalscope's Arguments (benchmark_args.json's shape) with every secret masked
 *  - history: the running message of the current run every --log-every-n-query requests (10 when 0)
 *    and at the end of each run; summary: the last run's summary, its percentiles, and every run's
 *    figures under `runs`; then the run is marked complete
 * `swanlab` and `clearml` are not sent (their SDKs speak undocumented protocols): one warning says so.
 * The W&B client is runtime/outputs/wandb-client.ts, shared with `llmperf run --out wandb`.
 */
import { ConfigError } from '../errors.ts';
import { percentileSummary, requireWandbKey, wandbRunName, DEFAULT_WANDB_PROJECT } from '../outputs/wandb.ts';
import { wandbEnv, WandbRun } from '../outputs/wandb-client.ts';
import type { EvalscopeAccumulator } from '../summary/evalscope.ts';
import type { PerfOptions, PerfRun } from './config.ts';
import { evalscopeArgs, modelId, runDirName } from './outputs.ts';
import type { PerfResult } from './report.ts';

export const VISUALIZERS = ['wandb', 'swanlab', 'clearml'] as const;

/** evalscope's choice: --visualizer, else wandb when --wandb-api-key is given, else swanlab for --swanlab-api-key. */
export function chosenVisualizer(o: PerfOptions): string | undefined {
  const v = o.visualizer ?? (o.wandbApiKey !== undefined ? 'wandb' : o.swanlabApiKey !== undefined ? 'swanlab' : undefined);
  if (v !== undefined && !(VISUALIZERS as readonly string[]).includes(v)) throw new ConfigError(`--visualizer ${v}: use wandb, swanlab or clearml`);
  return v;
}

/** Checks the visualiser flags before anything runs (an unknown name, wandb without a key: exit 104). */
export function checkVisualizer(o: PerfOptions, env = process.env): void {
  if (chosenVisualizer(o) === 'wandb') requireWandbKey(o.wandbApiKey ?? wandbEnv(env).apiKey, '--visualizer wandb');
}

export interface PerfVisualizer {
  /** a request finished in run `acc` (history every N requests) */
  onRequest(acc: EvalscopeAccumulator): void;
  /** a run ended: its final message as history */
  endRun(acc: EvalscopeAccumulator, result: PerfResult): void;
  /** the invocation ended: summary, complete */
  finish(): Promise<void>;
}

/** Starts the visualiser the options ask for (undefined: none). Never throws for a server problem. */
export async function startVisualizer(o: PerfOptions, runs: PerfRun[], url: string, root: string, log: (line: string) => void, env = process.env): Promise<PerfVisualizer | undefined> {
  const kind = chosenVisualizer(o);
  if (kind === undefined) return undefined;
  if (o.visualizer === undefined) log(`--${kind}-api-key without --visualizer: logging to ${kind} as evalscope does (it calls the flag deprecated: prefer --visualizer ${kind} and the ${kind.toUpperCase()}_API_KEY variable)`);
  if (kind !== 'wandb') {
    log(`WARN --visualizer ${kind}: llmperf sends nothing to ${kind} (its SDK's protocol is not documented); the same figures are in ${root} (benchmark_summary.json, benchmark_percentile.json) and --visualizer wandb or --out prometheus-rw=URL can stream them`);
    return undefined;
  }
  const e = wandbEnv(env);
  const apiKey = requireWandbKey(o.wandbApiKey ?? e.apiKey, '--visualizer wandb');
  const first = runs[0]!;
  const config = { ...evalscopeArgs(o, first, url, root), number: o.number, parallel: runs.map((r) => r.parallel), rate: o.rate };
  const run = new WandbRun({
    baseUrl: e.baseUrl,
    apiKey,
    ...(e.entity ? { entity: e.entity } : {}),
    project: e.project ?? DEFAULT_WANDB_PROJECT,
    name: o.name ?? wandbRunName(modelId(o)),
    config,
    log,
  });
  await run.start();
  const every = o.logEveryNQuery > 0 ? o.logEveryNQuery : 10;
  const format = o.evalscopeVersion ?? '1.10';
  const runsSummary: Record<string, unknown> = {};
  let last: PerfResult | undefined;
  return {
    onRequest(acc) {
      if (acc.nTotal % every === 0) run.history(acc.message(format));
    },
    endRun(acc, result) {
      if (acc.nTotal % every !== 0) run.history(acc.message(format));
      runsSummary[runDirName(result.run)] = { summary: result.keys, percentiles: percentileSummary(result.percentiles) };
      last = result;
    },
    async finish() {
      if (last) run.setSummary({ ...last.keys, percentiles: percentileSummary(last.percentiles), runs: runsSummary });
      await run.finish(0);
    },
  };
}
