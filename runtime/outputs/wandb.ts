/**
 * `--out wandb[=PROJECT | =ENTITY/PROJECT]`: the run logged to Weights & Biases as evalscope perf
 * logs it (runtime/outputs/wandb-client.ts speaks the protocol):
 *  - project: the argument, else WANDB_PROJECT, else evalscope's `perf_benchmark`; entity: the
 *    argument, else WANDB_ENTITY, else the key's default; server: WANDB_BASE_URL; key: WANDB_API_KEY
 *  - run name: options.name, else `<script>_<YYYYMMDD_HHMMSS>`
 *  - config: the resolved options with every secret removed (API keys, secret headers)
 *  - history: evalscope's running message (runtime/summary/evalscope.ts) every `every` requests
 *    (`--out wandb=my-project?every=50`; default 10) and once at the end
 *  - summary: the final message and the percentile table; the run is then marked complete
 * A server that is down or rejects the key costs one warning; the benchmark and its files go on.
 */
import { ConfigError } from '../errors.ts';
import type { RunStartInfo } from '../engine/run.ts';
import type { RequestRecord } from '../llm/types.ts';
import { redactDeep } from '../secrets.ts';
import { EvalscopeAccumulator, fromRecord } from '../summary/evalscope.ts';
import type { Output, OutputContext, OutputFactory } from './output.ts';
import { wandbEnv, WandbRun } from './wandb-client.ts';

export const DEFAULT_WANDB_PROJECT = 'perf_benchmark';

/** evalscope's run name: `<name>_<YYYYMMDD_HHMMSS>`. */
export function wandbRunName(base: string, now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${base}_${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}_${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
}

/** The percentile rows as one nested object for a W&B summary: { "TTFT (ms)": { "50%": x, ... } }. */
export function percentileSummary(rows: Array<Record<string, string | number>>): Record<string, Record<string, number | null>> {
  const out: Record<string, Record<string, number | null>> = {};
  for (const row of rows) {
    const label = String(row.Percentiles);
    for (const [k, v] of Object.entries(row)) {
      if (k === 'Percentiles') continue;
      (out[k] ??= {})[label] = typeof v === 'number' && Number.isFinite(v) ? v : null;
    }
  }
  return out;
}

/** Missing key: the one problem worth stopping for, before anything runs. */
export function requireWandbKey(key: string | undefined, flag: string): string {
  if (!key) throw new ConfigError(`${flag}: no W&B API key: set WANDB_API_KEY (or pass --wandb-api-key KEY to llmperf perf)`, 'WANDB_NO_KEY');
  return key;
}

class WandbOutput implements Output {
  private run: WandbRun | undefined;
  private acc: EvalscopeAccumulator | undefined;
  private sinceRow = 0;

  constructor(
    private readonly opts: { project: string; entity?: string; every: number; baseUrl: string; apiKey: string },
    private readonly ctx: OutputContext,
  ) {}

  async start(info: RunStartInfo): Promise<void> {
    const script = info.bundle.entry === '<inline>' ? 'inline' : info.bundle.entry.replace(/^.*[\\/]/, '').replace(/\.(m|c)?(t|j)s$/i, '');
    const concurrency = info.plans.reduce((a, p) => a + p.plan.maxVUs, 0);
    this.acc = new EvalscopeAccumulator({ concurrency, rate: -1 });
    this.run = new WandbRun({
      baseUrl: this.opts.baseUrl,
      apiKey: this.opts.apiKey,
      ...(this.opts.entity ? { entity: this.opts.entity } : {}),
      project: this.opts.project,
      name: info.options.name ?? wandbRunName(script),
      config: redactDeep({ script, target: info.targetUrl, ...info.scriptOptions, scenarios: info.plans.map((p) => ({ name: p.scenario.name, executor: p.scenario.executor, plan: p.plan.description })) }) as Record<string, unknown>,
      log: this.ctx.log,
    });
    await this.run.start();
  }

  onRecord(r: RequestRecord): void {
    if (!this.acc || r.errorCode === 'ABORTED') return;
    this.acc.add(fromRecord(r, true));
    if (++this.sinceRow >= this.opts.every) {
      this.sinceRow = 0;
      this.run?.history(this.acc.message('1.10'));
    }
  }

  async close(): Promise<void> {
    if (!this.run || !this.acc) return;
    if (this.acc.nTotal > 0) {
      const final = this.acc.message('1.10');
      if (this.sinceRow > 0) this.run.history(final);
      this.run.setSummary({ ...this.acc.summary('1.10'), percentiles: percentileSummary(this.acc.percentiles('1.10')) });
    }
    await this.run.finish(0);
  }
}

/** `--out wandb[=[ENTITY/]PROJECT][?every=N]` */
export const wandbOutput: OutputFactory = (arg, ctx) => {
  const env = wandbEnv();
  const [target = '', query = ''] = arg.split('?');
  const every = Number(new URLSearchParams(query).get('every') ?? 10);
  if (!Number.isInteger(every) || every < 1) throw new ConfigError(`--out wandb=${arg}: every must be a whole number >= 1`);
  const parts = target.split('/').filter(Boolean);
  if (parts.length > 2) throw new ConfigError(`--out wandb=${arg}: give PROJECT or ENTITY/PROJECT`);
  const project = parts.length ? parts[parts.length - 1]! : (env.project ?? DEFAULT_WANDB_PROJECT);
  const entity = parts.length === 2 ? parts[0] : env.entity;
  return new WandbOutput({ project, ...(entity ? { entity } : {}), every, baseUrl: env.baseUrl, apiKey: requireWandbKey(env.apiKey, '--out wandb') }, ctx);
};
