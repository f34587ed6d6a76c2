/**
 * The host side of every VU binding: llm requests (timed on the host), metrics, checks, files,
 * datasets, sleeping, logging. One instance per run, built once when the script is loaded
 * (runtime/engine/load.ts) and shared by every VU, the probe VU included. Init code runs before the
 * target is known, so the request side is bound later, by `bindTarget` (runtime/engine/execute.ts):
 * until then an llm call fails with "init code makes no requests".
 */
import path from 'node:path';
import { nextTurn, onAbort } from '../abort-hooks.ts';
import { ConfigError } from '../errors.ts';
import { loadDataset } from '../datasets/index.ts';
import type { Dataset, DatasetItem } from '../datasets/types.ts';
import type { LlmClient } from '../llm/client.ts';
import { apiNameFor, endpointFor } from '../llm/kinds.ts';
import type { ApiRegistry } from '../llm/registry.ts';
import { checkStream, choiceCount, computeTimings, countReasoning, countTokens, notStreamed, toResult, type TokenCounter } from '../llm/result.ts';
import type { LlmCallOptions, LlmResult, RequestRecord } from '../llm/types.ts';
import { meetsBounds, type RequestBound } from '../metrics/request-slo.ts';
import { CheckNames } from '../metrics/limits.ts';
import type { MetricType } from '../metrics/types.ts';
import { parseDuration } from '../options/duration.ts';
import type { ResolvedLlm } from '../options/resolve.ts';
import { loadTokenizer } from '../tokenizers/index.ts';
import type { Tokenizer } from '../tokenizers/types.ts';
import type { DatasetHandle, LlmKind, LogLevel } from '../vu/protocol.ts';
import type { VuServices, VuState } from '../vu/vu.ts';
import type { Emitter } from './emitter.ts';
import { emitRequestMetrics } from './request-metrics.ts';
import { redactHeaders, redactText, redactUrl } from '../secrets.ts';
import type { FileAccess } from './file-access.ts';
import { isPluginSpec } from '../llm/registry.ts';
import { ResponseWatch } from './response-facts.ts';

/** What the services need from the run from the moment the script is loaded. */
export interface ServiceDeps {
  emitter: Emitter;
  baseDir: string;
  storeBodies: boolean;
  /** ms since run start */
  now(): number;
  /** performance.now() at run start */
  runStart(): number;
  /** CLOCK_MONOTONIC ms minus performance.now(), to express t0 for other processes */
  monoOffset: number;
  hardStop: AbortSignal;
  log(level: LogLevel, vu: number, msg: string): void;
  abort(msg: string): void;
  execInfo(vu: VuState, what: 'progress' | 'instance'): Record<string, number>;
  debug?: ((line: string) => void) | undefined;
  /** with debug: include request bodies and response texts (false: --http-debug without =full) */
  debugBodies?: boolean;
  /** the tokenizer spec init-time datasets default to (--tokenizer, LLMPERF_TOKENIZER) */
  initTokenizer?: string | undefined;
  /** what open() and datasets may read (the script's folder, --allow-read) */
  files: FileAccess;
  /** the run's log, for WARN lines about the responses (stream health, estimated tokens) */
  warn?: ((line: string) => void) | undefined;
}

/** The request side, bound once the target is open (runtime/engine/execute.ts). */
export interface TargetBinding {
  llm: ResolvedLlm;
  /** the target's URL (the embedded mock's, when no URL was configured) */
  url: string;
  client: LlmClient;
  apis: ApiRegistry;
  runTags: Record<string, string>;
  /** options.slo as per-request bounds; none: records carry good = null */
  bounds: readonly RequestBound[];
  /** token counts fall back to it when a server sends no usage */
  tokenizer: TokenCounter | undefined;
}

export class Services implements VuServices {
  private seq = 0;
  private readonly files = new Map<string, string | ArrayBuffer>();
  private readonly datasets: Array<{ ds: Dataset; cursor: number }> = [];
  private readonly datasetCache = new Map<string, Promise<DatasetHandle>>();
  private readonly tokenizers = new Map<string, Promise<Tokenizer>>();
  /** check names cut and counted (runtime/metrics/limits.ts) */
  private readonly checkLimits = new CheckNames(
    (name) => {
      // each check name kept gets its sub-metric once
      const m = this.d.emitter.registry.get('checks');
      if (m) this.d.emitter.registry.submetric(m, [['check', name]]);
    },
    (vu, msg) => this.d.log('warn', vu, msg),
  );
  private t: TargetBinding | undefined;
  inflight = 0;
  peakInflight = 0;
  /** ConfigErrors raised by host services during init (they cross the isolate as plain errors) */
  readonly hostConfigErrors: ConfigError[] = [];
  /** failed requests per error code */
  readonly errorCounts = new Map<string, number>();
  /** last error message per code (for the summary) */
  readonly errorSamples = new Map<string, string>();
  /** token provenance, stream health and reasoning over the run (summary.json, WARN lines) */
  readonly responses: ResponseWatch;

  constructor(private readonly d: ServiceDeps) {
    this.responses = new ResponseWatch(d.warn ?? (() => undefined), d.now);
  }

  /** Binds the request side (called once, after init code ran and the target was opened). */
  bindTarget(t: TargetBinding): void {
    this.t = t;
  }

  async llm(vu: VuState, kind: LlmKind, params: Record<string, unknown>, opts: LlmCallOptions | null, group: string): Promise<LlmResult> {
    const d = this.d;
    const t = this.t;
    if (!t) throw new Error('init code makes no requests: call llm.* in the default function, setup() or teardown()');
    const api = t.apis.get(apiNameFor(kind, opts?.api, t.apis));
    const endpoint = endpointFor(kind, params);
    const model = opts?.model ?? (typeof params.model === 'string' ? params.model : t.llm.model);
    const headers = opts?.headers ? { ...t.llm.headers, ...opts.headers } : t.llm.headers;
    const built = api.build(endpoint, params, { baseUrl: opts?.url ?? t.url, model, ...(t.llm.apiKey ? { apiKey: t.llm.apiKey } : {}), headers, includeUsage: t.llm.includeUsage });
    const totalTimeoutMs = opts?.timeout !== undefined ? parseDuration(opts.timeout, 'llm timeout') : t.llm.totalTimeoutMs;
    // the VU's signal already follows the run's hard stop (scenario hard stops are aborted with it)
    const signal = vu.signal ?? d.hardStop;
    if (d.debug) d.debug(`> ${built.method} ${redactUrl(built.url)} ${JSON.stringify(redactHeaders(built.headers))}${d.debugBodies === false ? '' : ` ${truncate(redactText(built.body), 500)}`}`);

    this.inflight++;
    if (this.inflight > this.peakInflight) this.peakInflight = this.inflight;
    const startWall = Date.now();
    const x = await t.client.send(built, api, { totalTimeoutMs, signal });
    this.inflight--;

    const counts = countTokens(x, () => api.promptText(params), t.tokenizer);
    const timings = computeTimings(x, counts.outputTokens, x.sse);
    const reasoning = countReasoning(x, counts, t.tokenizer);
    // a response that did not really stream has no TPOT/ITL to tell (its gaps are a proxy's or zero)
    const streamCheck = checkStream(x, timings.itl, built.stream);
    if (notStreamed(streamCheck)) {
      timings.tpot = null;
      timings.itl = [];
      timings.itlToken = [];
    }
    if (d.debug) d.debug(`< ${x.status} ${x.errorCode ?? 'ok'} ttft=${fmtMs(timings.ttft)} e2e=${fmtMs(timings.e2e)} out=${counts.outputTokens ?? '-'}${d.debugBodies === false ? (x.errorMessage ? ` ${truncate(x.errorMessage, 300)}` : '') : ` ${truncate(x.errorMessage ?? x.text, 300)}`}`);

    const interrupted = x.errorCode === 'ABORTED';
    const tags: Record<string, string> = { ...t.runTags, ...vu.scenarioTags, scenario: vu.scenario, model, api: api.name, status: String(x.status) };
    if (opts?.name) tags.name = opts.name;
    if (group) tags.group = group;
    if (opts?.tags) Object.assign(tags, opts.tags);
    if (x.errorCode) tags.error_code = x.errorCode;
    const rec: RequestRecord = {
      id: ++this.seq,
      scenario: vu.scenario,
      vu: vu.id,
      iter: vu.iter,
      api: api.name,
      model,
      url: built.url,
      tags,
      plannedStart: vu.plannedStart,
      start: x.t0 - d.runStart(),
      startWall,
      startMono: x.t0 + d.monoOffset,
      ttfb: timings.ttfb,
      ttft: timings.ttft,
      e2e: timings.e2e,
      tpot: timings.tpot,
      itl: timings.itl,
      chunks: x.outputTimes.length,
      inputTokens: counts.inputTokens,
      outputTokens: counts.outputTokens,
      inputTokenSource: counts.inputSource,
      outputTokenSource: counts.outputSource,
      status: x.status,
      ok: x.errorCode === null,
      errorCode: x.errorCode,
      errorMessage: x.errorMessage,
      finishReason: x.finishReason,
      bytesSent: x.bytesSent,
      bytesReceived: x.bytesReceived,
      requestBody: d.storeBodies ? built.body : null,
      responseText: d.storeBodies ? x.text : null,
      good: null,
      responseId: x.responseId,
      batchSize: built.batchSize ?? null,
      cachedTokens: cachedTokensOf(x.usage),
      ttftAnswer: timings.ttftAnswer,
      reasoningTokens: reasoning.reasoningTokens,
      answerTokens: reasoning.answerTokens,
      reasoningTokenSource: reasoning.source,
      reasoningText: d.storeBodies ? (x.choiceReasoning ? x.choiceReasoning.join('\n\n') : x.reasoning) || null : null,
      streamCheck,
      contentType: x.contentType,
      endedWithoutDone: x.endedWithoutDone,
      choices: choiceCount(x),
      choiceTexts: d.storeBodies ? x.choiceTexts : null,
    };
    if (rec.ok && t.bounds.length > 0) rec.good = meetsBounds(t.bounds, rec);
    const now = Date.now();
    if (x.errorCode && !interrupted) {
      this.errorCounts.set(x.errorCode, (this.errorCounts.get(x.errorCode) ?? 0) + 1);
      this.errorSamples.set(x.errorCode, x.errorMessage ?? x.errorCode);
    }
    if (interrupted) d.emitter.sample('llm_reqs_interrupted', 1, tags, now);
    else {
      emitRequestMetrics(d.emitter, rec, timings.itlToken, counts.mismatch, tags, now);
      this.responses.add(rec);
    }
    d.emitter.record(rec);
    const res = toResult(rec, x);
    if (rec.batchSize !== null) res.batchSize = rec.batchSize;
    if (rec.cachedTokens !== null) res.cachedTokens = rec.cachedTokens;
    return res;
  }

  /** Ends early when the VU's iteration is interrupted (gracefulStop over, ramp-down, second signal). */
  sleep(vu: VuState, ms: number): Promise<void> {
    const stop = vu.signal ?? this.d.hardStop;
    if (stop.aborted || ms <= 0) return nextTurn(undefined);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        cancel();
        resolve();
      };
      const timer = setTimeout(done, ms);
      const cancel = onAbort(stop, done);
    });
  }

  open(_vu: VuState, p: string, binary: boolean): string | ArrayBuffer {
    const abs = path.resolve(this.d.baseDir, p);
    const key = `${binary ? 'b' : 't'}:${abs}`;
    let v = this.files.get(key);
    if (v === undefined) {
      try {
        // confined to the script's folder and --allow-read, regular files only, size-capped (file-access.ts)
        v = this.d.files.read(p, binary);
      } catch (e) {
        if (e instanceof ConfigError) {
          this.hostConfigErrors.push(e);
          throw new Error(e.message);
        }
        throw new Error(`open("${p}"): cannot read ${abs}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message} (paths are relative to the script's folder)`);
      }
      this.files.set(key, v);
    }
    return v;
  }

  dataset(_vu: VuState, kind: string, args: Record<string, unknown>): Promise<DatasetHandle> {
    const key = JSON.stringify([kind, args]);
    let h = this.datasetCache.get(key);
    if (!h) {
      h = (async () => {
        const tokSpec = typeof args.tokenizer === 'string' ? args.tokenizer : (this.t?.llm.tokenizer ?? this.d.initTokenizer);
        const tokenizer = tokSpec ? await this.tokenizer(tokSpec) : undefined;
        const { tokenizer: _t, ...rest } = args;
        void _t;
        // files and plugins the script names: its folder and --allow-read only (file-access.ts)
        if (typeof rest.path === 'string') rest.path = this.d.files.checkDataFile(rest.path, `${kind} dataset`);
        if (isPluginSpec(kind)) this.d.files.checkRead(kind, 'dataset plugin');
        const ds = await loadDataset({ ...(rest as object), kind, baseDir: this.d.baseDir, ...(tokenizer ? { tokenizer } : {}) } as Parameters<typeof loadDataset>[0]);
        this.datasets.push({ ds, cursor: 0 });
        return { id: this.datasets.length - 1, size: ds.size, name: ds.name };
      })();
      this.datasetCache.set(key, h);
    }
    return h.catch((e: Error) => {
      // host config errors (missing file, bad line) keep their class and exit code: remember them
      if (e instanceof ConfigError) this.hostConfigErrors.push(e);
      throw new Error(e.message);
    });
  }

  /** A tokenizer by spec (folder with tokenizer.json, tiktoken:…), loaded once per run. */
  tokenizer(spec: string): Promise<Tokenizer> {
    let t = this.tokenizers.get(spec);
    if (!t) {
      t = loadTokenizer(spec, this.d.baseDir);
      this.tokenizers.set(spec, t);
    }
    return t;
  }

  datasetGet(_vu: VuState, id: number, index: number): DatasetItem {
    const e = this.datasets[id];
    if (!e) throw new Error(`unknown dataset handle ${id}`);
    return e.ds.get(index);
  }

  datasetNext(_vu: VuState, id: number): DatasetItem {
    const e = this.datasets[id];
    if (!e) throw new Error(`unknown dataset handle ${id}`);
    return e.ds.get(e.cursor++);
  }

  define(_vu: VuState, name: string, type: MetricType, isTime: boolean): void {
    const existing = this.d.emitter.registry.get(name);
    if (existing?.builtin) throw new ConfigError(`metric name "${name}" is a built-in metric: choose another name`);
    this.d.emitter.registry.define(name, type, isTime ? 'time' : 'default');
  }

  metric(vu: VuState, name: string, value: number, tags: Record<string, string> | null, group: string): void {
    const t: Record<string, string> = { ...this.t?.runTags, ...vu.scenarioTags, scenario: vu.scenario };
    if (group) t.group = group;
    if (tags) Object.assign(t, tags);
    try {
      this.d.emitter.sample(name, value, t, Date.now());
    } catch (e) {
      this.d.log('error', vu.id, (e as Error).message);
    }
  }

  check(vu: VuState, name: string, ok: boolean, tags: Record<string, string> | null, group: string): void {
    name = this.checkLimits.resolve(name, vu.id);
    const t: Record<string, string> = { ...this.t?.runTags, ...vu.scenarioTags, scenario: vu.scenario, check: name };
    if (group) t.group = group;
    if (tags) Object.assign(t, tags);
    this.d.emitter.sample('checks', ok ? 1 : 0, t, Date.now());
  }

  log(vu: VuState, level: LogLevel, msg: string): void {
    this.d.log(level, vu.id, msg);
  }

  abort(_vu: VuState, msg: string): void {
    this.d.abort(msg);
  }

  execInfo(vu: VuState, what: 'progress' | 'instance'): Record<string, number> {
    return this.d.execInfo(vu, what);
  }
}

/** Prompt tokens the server says it read from its prefix cache (usage.prompt_tokens_details.cached_tokens). */
function cachedTokensOf(u: LlmResult['usage']): number | null {
  const c = u?.prompt_tokens_details?.cached_tokens;
  return typeof c === 'number' && Number.isFinite(c) ? c : null;
}

function truncate(s: string, n: number): string {
  return s.length > n ? s.slice(0, n) + '…' : s;
}
function fmtMs(v: number | null): string {
  return v === null ? '-' : `${v.toFixed(1)}ms`;
}
