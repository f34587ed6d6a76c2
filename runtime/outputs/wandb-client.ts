/**
 * A Weights & Biases run over W&B's HTTP protocol, as the official SDKs speak it (checked against the
 * traffic of @wandb/sdk 0.5.1: test/outputs/wandb.test.ts and test/fixtures/wandb/):
 *   POST <base>/graphql   query Viewer                 (the default entity, when WANDB_ENTITY is not set)
 *   POST <base>/graphql   mutation UpsertBucket        (creates the run: project, entity, display name, config)
 *   POST <base>/files/<entity>/<project>/<run id>/file_stream
 *        { files: { "wandb-history.jsonl": { offset, content: [row, ...] },
 *                   "wandb-summary.json":  { offset: 0, content: [summary] } } }
 *   POST ...file_stream   { complete: true, exitcode }  (marks the run finished)
 * Authorization: Basic base64("api:" + key). Config is sent as the Python SDK does ({key: {value}}).
 *
 * It never fails the benchmark: every request has a timeout and a couple of retries; a server that is
 * down, answers 5xx or rejects the key (401/403) costs one warning, after which the run stops sending.
 * Nothing here prints the key. No global state, no signal handlers (unlike the SDK).
 */
import { Agent, agentRequest } from '../llm/agent.ts';

export interface WandbSettings {
  /** WANDB_BASE_URL (default https://api.wandb.ai) */
  baseUrl: string;
  apiKey: string;
  /** WANDB_ENTITY; else the key's default entity (Viewer query) */
  entity?: string;
  project: string;
  /** the run's display name */
  name: string;
  /** config shown with the run: must already be free of secrets */
  config: Record<string, unknown>;
  log: (line: string) => void;
  /** per-request timeout, ms (default 10 s) */
  timeoutMs?: number;
  /** retries after a failed request (default 2) */
  retries?: number;
  /** how often buffered history is sent, ms (default 5 s; 0: only on flush) */
  flushEveryMs?: number;
}

const UPSERT = `mutation UpsertBucket($id: String, $name: String, $project: String, $entity: String, $displayName: String, $config: JSONString, $summaryMetrics: JSONString) {
  upsertBucket(input: {id: $id, name: $name, modelName: $project, entityName: $entity, displayName: $displayName, config: $config, summaryMetrics: $summaryMetrics}) {
    bucket { id name displayName project { id name entity { id name } } }
    inserted
  }
}`;
const VIEWER = `query Viewer { viewer { id entity } }`;

class WandbHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** An 8-character run id of [a-z0-9], as W&B makes them. */
export function newRunId(): string {
  const chars = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < 8; i++) s += chars[Math.floor(Math.random() * chars.length)];
  return s;
}

/** The config as W&B's backend stores it (what the Python SDK sends): every value under {value}. */
export function backendConfig(config: Record<string, unknown>): Record<string, { value: unknown }> {
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, { value: v }]));
}

export class WandbRun {
  readonly id = newRunId();
  private entity: string | undefined;
  private disabled = false;
  private started = false;
  private readonly t0 = Date.now();
  private step = 0;
  private historyOffset = 0;
  private pending: string[] = [];
  private summary: Record<string, unknown> = {};
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> = Promise.resolve();
  private readonly auth: string;
  /** its own connections, closed by finish() (nothing left open to hold the process) */
  private readonly agent = new Agent({ keepAliveTimeout: 4_000 });

  constructor(private readonly s: WandbSettings) {
    this.entity = s.entity;
    this.auth = `Basic ${Buffer.from(`api:${s.apiKey}`).toString('base64')}`;
  }

  /** The run's page (what W&B's UI would show), for the log. */
  get url(): string {
    const app = this.s.baseUrl.replace('://api.wandb.ai', '://wandb.ai');
    return `${app}/${this.entity ?? '?'}/${this.s.project}/runs/${this.id}`;
  }

  get active(): boolean {
    return this.started && !this.disabled;
  }

  private warn(what: string, e: unknown): void {
    if (this.disabled) return;
    this.disabled = true;
    if (this.timer) clearInterval(this.timer);
    const err = e as Error;
    const why =
      e instanceof WandbHttpError && (e.status === 401 || e.status === 403)
        ? `the server rejected the API key (HTTP ${e.status}): check WANDB_API_KEY / --wandb-api-key`
        : e instanceof WandbHttpError
          ? `HTTP ${e.status}: ${err.message}`
          : `${(err as { code?: string }).code ?? err.name}: ${err.message}`;
    this.s.log(`WARN wandb: ${what} failed (${why}); nothing more is sent to ${this.s.baseUrl}. The benchmark and its files are not affected.`);
  }

  private async post(path: string, body: unknown): Promise<unknown> {
    const retries = this.s.retries ?? 2;
    let last: unknown;
    for (let i = 0; i <= retries; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 500 * 2 ** (i - 1)));
      try {
        const u = new URL(this.s.baseUrl.replace(/\/+$/, '') + path);
        const res = await agentRequest(this.agent, {
          origin: u.origin,
          path: u.pathname + u.search,
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: this.auth, 'user-agent': 'llmperf (W&B file_stream client)' },
          body: JSON.stringify(body),
          headersTimeout: this.s.timeoutMs ?? 10_000,
          bodyTimeout: this.s.timeoutMs ?? 10_000,
          signal: AbortSignal.timeout((this.s.timeoutMs ?? 10_000) + 1000),
        });
        const text = await res.body.text();
        if (res.statusCode >= 400) {
          last = new WandbHttpError(res.statusCode, text.slice(0, 200).replace(/\s+/g, ' '));
          if (res.statusCode < 500 && res.statusCode !== 429) throw last; // a client error does not get better
          continue;
        }
        return text ? (JSON.parse(text) as unknown) : {};
      } catch (e) {
        if (e instanceof WandbHttpError && e.status < 500 && e.status !== 429) throw e;
        last = e;
      }
    }
    throw last;
  }

  private async graphql(query: string, variables: Record<string, unknown>): Promise<Record<string, unknown>> {
    const out = (await this.post('/graphql', { query, variables })) as { data?: Record<string, unknown>; errors?: Array<{ message?: string }> };
    if (out.errors?.length) throw new Error(`GraphQL: ${out.errors.map((e) => e.message).join('; ')}`);
    return out.data ?? {};
  }

  /** Creates the run. Resolves true when W&B accepted it; false (after one warning) otherwise. */
  async start(): Promise<boolean> {
    try {
      if (!this.entity) {
        const v = (await this.graphql(VIEWER, {})) as { viewer?: { entity?: string } };
        this.entity = v.viewer?.entity ?? undefined;
        if (!this.entity) throw new Error('the server did not say which entity the key belongs to: set WANDB_ENTITY');
      }
      await this.graphql(UPSERT, {
        name: this.id,
        project: this.s.project,
        entity: this.entity,
        displayName: this.s.name,
        config: JSON.stringify(backendConfig(this.s.config)),
      });
      this.started = true;
      const every = this.s.flushEveryMs ?? 5000;
      if (every > 0) {
        this.timer = setInterval(() => void this.flush(), every);
        this.timer.unref();
      }
      this.s.log(`wandb: logging to ${this.url}`);
      return true;
    } catch (e) {
      this.warn('creating the run', e);
      return false;
    }
  }

  /** Queues one history row (W&B's _step, _runtime and _timestamp are added). */
  history(row: Record<string, unknown>): void {
    if (!this.active) return;
    const now = Date.now();
    const full = { ...row, _step: this.step++, _runtime: (now - this.t0) / 1000, _timestamp: now / 1000 };
    this.summary = { ...this.summary, ...full };
    this.pending.push(JSON.stringify(full));
  }

  /** Replaces keys of the run's summary (sent with the next flush). */
  setSummary(values: Record<string, unknown>): void {
    this.summary = { ...this.summary, ...values };
  }

  /** Sends what is buffered (history rows and the summary); one send at a time. */
  flush(): Promise<void> {
    this.sending = this.sending.then(() => this.sendNow());
    return this.sending;
  }

  private async sendNow(): Promise<void> {
    if (!this.active) return;
    const rows = this.pending;
    this.pending = [];
    const files: Record<string, { offset: number; content: string[] }> = {};
    if (rows.length) files['wandb-history.jsonl'] = { offset: this.historyOffset, content: rows };
    files['wandb-summary.json'] = { offset: 0, content: [JSON.stringify(this.summary)] };
    try {
      await this.post(this.streamPath(), { files });
      this.historyOffset += rows.length;
    } catch (e) {
      this.warn('sending history', e);
    }
  }

  private streamPath(): string {
    return `/files/${encodeURIComponent(this.entity ?? '')}/${encodeURIComponent(this.s.project)}/${this.id}/file_stream`;
  }

  /** Sends the rest and marks the run finished (exit code 0: completed). Never throws. */
  async finish(exitCode = 0): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    try {
      if (!this.active) return;
      await this.flush();
      if (!this.active) return;
      try {
        await this.post(this.streamPath(), { complete: true, exitcode: exitCode });
      } catch (e) {
        this.warn('marking the run finished', e);
      }
      this.disabled = true;
    } finally {
      await this.agent.close().catch(() => undefined);
    }
  }
}

/** Settings from the environment as the W&B SDKs read it (WANDB_BASE_URL, WANDB_ENTITY, WANDB_PROJECT). */
export function wandbEnv(env: NodeJS.ProcessEnv = process.env): { baseUrl: string; entity?: string; project?: string; apiKey?: string } {
  return {
    baseUrl: env.WANDB_BASE_URL || 'https://api.wandb.ai',
    ...(env.WANDB_ENTITY ? { entity: env.WANDB_ENTITY } : {}),
    ...(env.WANDB_PROJECT ? { project: env.WANDB_PROJECT } : {}),
    ...(env.WANDB_API_KEY ? { apiKey: env.WANDB_API_KEY } : {}),
  };
}
