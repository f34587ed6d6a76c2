/** A virtual user: one context in an isolate, its host bindings and its entry points. */
import type { LlmResult } from '../llm/types.ts';
import type { MetricType } from '../metrics/types.ts';
import { addVuToContext, ivm, type ContextSlot, type IsolatePool, type IsolateSlot } from './isolates.ts';
import type { DatasetHandle, HostImpl, IterationInfo, IterationOutcome, LlmKind, LogLevel } from './protocol.ts';
import type { LlmCallOptions } from '../llm/types.ts';

/** What the host knows about a VU while it runs (read by the services). */
export interface VuState {
  readonly id: number;
  scenario: string;
  scenarioTags: Record<string, string>;
  iter: number;
  /** aborted to interrupt the current iteration (hard stop, ramp-down) */
  signal: AbortSignal | undefined;
  /** planned start of the current iteration (arrival-rate), ms since run start */
  plannedStart: number | null;
}

/** Host services a VU's bindings call into (implemented by the engine). */
export interface VuServices {
  llm(vu: VuState, kind: LlmKind, params: Record<string, unknown>, opts: LlmCallOptions | null, group: string): Promise<LlmResult>;
  sleep(vu: VuState, ms: number): Promise<void>;
  open(path: string, binary: boolean): string | ArrayBuffer;
  dataset(kind: string, args: Record<string, unknown>): Promise<DatasetHandle>;
  datasetGet(id: number, index: number): unknown;
  datasetNext(id: number): unknown;
  define(name: string, type: MetricType, isTime: boolean): void;
  metric(vu: VuState, name: string, value: number, tags: Record<string, string> | null, group: string): void;
  check(vu: VuState, name: string, ok: boolean, tags: Record<string, string> | null, group: string): void;
  log(vu: VuState, level: LogLevel, msg: string): void;
  abort(vu: VuState, msg: string): void;
  execInfo(vu: VuState, what: 'progress' | 'instance'): Record<string, number>;
}

export interface ScriptExports {
  functions: string[];
  options: string | null;
}

type CallResult = { ok: true; absent?: boolean; result?: string } | { ok: false; error: { message: string; stack: string; name: string; kind: 'exception' | 'fail' | 'abort' } };

export class VU {
  readonly state: VuState;
  private slot!: IsolateSlot;
  private cslot!: ContextSlot;
  private ctx!: ivm.Context;
  private iterateRef!: ivm.Reference;
  private callRef!: ivm.Reference;
  private startRef!: ivm.Reference;
  private settleRef!: ivm.Reference;
  /** inline mode: the iteration or lifecycle call in progress (one at a time per VU) */
  private pending: { token: number; resolve: (v: unknown) => void; reject: (e: Error) => void } | null = null;
  private token = 0;
  /** inline mode: applySync options of each entry into the VU, with the current call's timeout */
  private turnOpts: { arguments: { copy: true }; timeout?: number } = { arguments: { copy: true } };
  private unhook: (() => void) | null = null;
  private generation = 0;
  /** times this VU was rebuilt after its isolate died (memory limit, stuck iteration) */
  revivals = 0;

  private constructor(
    readonly id: number,
    private readonly pool: IsolatePool,
    private readonly host: HostImpl,
    private readonly env: Record<string, string>,
    private readonly initTimeoutMs: number,
    state: VuState,
  ) {
    this.state = state;
  }

  static async create(id: number, pool: IsolatePool, services: VuServices, env: Record<string, string>, initTimeoutMs: number): Promise<VU> {
    const state: VuState = { id, scenario: '', scenarioTags: {}, iter: 0, signal: undefined, plannedStart: null };
    const host: HostImpl = {
      llm: (kind, params, opts, group) => services.llm(state, kind, params, opts, group),
      sleep: (ms) => services.sleep(state, ms),
      // applySyncPromise resolves only to transferable values: copy the handle object in
      dataset: async (kind, args) => copyOut(await services.dataset(kind, args)) as DatasetHandle,
      datasetGet: (id2, i) => copyOut(services.datasetGet(id2, i)),
      datasetNext: (id2) => copyOut(services.datasetNext(id2)),
      open: (p, b) => services.open(p, b),
      define: (name, type, isTime) => services.define(name, type, isTime),
      execInfo: (what) => copyOut(services.execInfo(state, what)) as Record<string, number>,
      metric: (name, value, tags, group) => services.metric(state, name, value, tags, group),
      check: (name, ok, tags, group) => services.check(state, name, ok, tags, group),
      log: (level, msg) => services.log(state, level, msg),
      abort: (msg) => services.abort(state, msg),
      // called only from inside the VU, so after `vu` below is assigned
      done: (token, outcome) => vu.finished(token, outcome),
    };
    const vu = new VU(id, pool, host, env, initTimeoutMs, state);
    await vu.build();
    return vu;
  }

  /** Creates the context (in an isolate with room) and runs the init code. */
  private async build(): Promise<void> {
    const slot = this.pool.slotForNewVU();
    let cslot: ContextSlot | undefined;
    try {
      // results of calls made by an earlier context of this VU (before a revive) are dropped
      const gen = ++this.generation;
      const settle = this.pool.inline ? (id: number, ok: boolean, v: unknown) => gen === this.generation && this.settle(id, ok, v) : null;
      const refs = await slot.runAsync(async () => {
        cslot = await slot.contextFor(this.pool.vusPerContext);
        this.ctx = cslot.ctx;
        return addVuToContext(cslot.ctx, this.host, this.id, this.env, this.initTimeoutMs, settle);
      });
      this.iterateRef = refs.iterate;
      this.callRef = refs.call;
      this.startRef = refs.start;
      this.settleRef = refs.settle;
      this.unhook = slot.onDispose((e) => this.rejectPending(e));
    } catch (e) {
      if (cslot) slot.releaseContext(cslot);
      this.pool.release(slot);
      throw e;
    }
    this.slot = slot;
    this.cslot = cslot!;
  }

  /** Rebuilds this VU in a fresh context after its isolate was disposed; init code runs again. */
  async revive(setupDataJson: string | undefined): Promise<void> {
    this.unhook?.();
    this.slot.releaseContext(this.cslot);
    this.pool.release(this.slot);
    this.revivals++;
    await this.build();
    await this.endInit(setupDataJson);
  }

  /** The isolate this VU runs in (the watchdog reads its CPU time). */
  get isolateSlot(): IsolateSlot {
    return this.slot;
  }

  async exports(): Promise<ScriptExports> {
    return (await this.slot.runAsync(() => this.ctx.evalClosure('return __llmperf_vus.get($0).init_exports()', [this.id], { arguments: { copy: true }, result: { copy: true } }))) as ScriptExports;
  }

  async endInit(setupDataJson: string | undefined): Promise<void> {
    await this.slot.runAsync(() => this.ctx.evalClosure('const e = __llmperf_vus.get($0); e.end_init(); e.set_data($1);', [this.id, setupDataJson], { arguments: { copy: true } }));
  }

  /**
   * Runs one iteration. A timeout (ms) stops code that runs on the CPU without yielding: inline,
   * every entry into the VU is bounded by it; on threads, the synchronous part (the watchdog
   * covers the rest).
   */
  iterate(info: IterationInfo, timeoutMs?: number): Promise<IterationOutcome> {
    if (this.pool.inline) return this.startInline('iterate', info, undefined, timeoutMs) as Promise<IterationOutcome>;
    return this.iterateRef.apply(undefined, [info], {
      arguments: { copy: true },
      result: { promise: true, copy: true },
      ...(timeoutMs ? { timeout: timeoutMs } : {}),
    }) as Promise<IterationOutcome>;
  }

  /** Calls an exported lifecycle function (setup, teardown, handleSummary) with JSON data. */
  call(name: string, json: string | undefined, timeoutMs?: number): Promise<CallResult> {
    if (this.pool.inline) return this.startInline('call', name, json, timeoutMs) as Promise<CallResult>;
    return this.callRef.apply(undefined, [name, json], {
      arguments: { copy: true },
      result: { promise: true, copy: true },
      ...(timeoutMs ? { timeout: timeoutMs } : {}),
    }) as Promise<CallResult>;
  }

  // ---- inline mode (see IsolateOptions.threads) ----

  private startInline(kind: 'iterate' | 'call', a: unknown, b: unknown, timeoutMs: number | undefined): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.pending) this.pending.reject(new Error('a new call started before the previous one ended'));
      const token = ++this.token;
      this.pending = { token, resolve, reject };
      if (timeoutMs !== this.turnOpts.timeout) this.turnOpts = timeoutMs ? { arguments: { copy: true }, timeout: timeoutMs } : { arguments: { copy: true } };
      const slot = this.slot;
      // Start from a macrotask: an iteration that never waits on I/O (sleep(0), a synchronous
      // default function) would otherwise chain iterations through microtasks forever and starve
      // the event loop (timers, sockets, the end of the scenario).
      setImmediate(() => slot.inline(
        () => {
          const t = performance.now();
          this.startRef.applySync(undefined, [token, kind, a, b], this.turnOpts);
          this.pool.turn(performance.now() - t);
        },
        (e) => this.rejectPending(e),
        false,
      ));
    });
  }

  /** H.done from inside the VU: the call started with `token` has ended. */
  private finished(token: number, outcome: unknown): void {
    const p = this.pending;
    if (!p || p.token !== token) return;
    this.pending = null;
    p.resolve(outcome);
  }

  private rejectPending(e: Error): void {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    p.reject(e);
  }

  /** The host's part of an async call (llm, sleep) has ended: hand the outcome to the VU. */
  private settle(id: number, ok: boolean, value: unknown): void {
    const slot = this.slot;
    slot.inline(
      () => {
        const t = performance.now();
        this.settleRef.applySync(undefined, [id, ok, value], this.turnOpts);
        this.pool.turn(performance.now() - t);
      },
      (e) => this.rejectPending(e),
      true,
    );
  }

  get isolateDisposed(): boolean {
    return this.slot.disposed;
  }

  dispose(): void {
    this.unhook?.();
    try {
      this.iterateRef.release();
      this.callRef.release();
      this.startRef.release();
      this.settleRef.release();
      if (!this.slot.disposed) this.ctx.evalClosureIgnored('__llmperf_vus.delete($0)', [this.id], { arguments: { copy: true } });
    } catch {
      /* isolate already gone */
    }
    this.slot.releaseContext(this.cslot);
    this.pool.release(this.slot);
  }
}

/** Values returned by sync callbacks must be transferable: copy plain data in. */
function copyOut(v: unknown): unknown {
  if (v === null || v === undefined || typeof v !== 'object') return v;
  return new ivm.ExternalCopy(v).copyInto();
}
