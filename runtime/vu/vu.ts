/** A virtual user: one context in an isolate, its host bindings and its entry points. */
import { HOST_MODES, SERVICE_NAMES, type HostImpl, type HostName, type ServicesFor } from './bindings.ts';
import { addVuToContext, isTimeoutError, ivm, type ContextSlot, type IsolatePool, type IsolateSlot } from './isolates.ts';
import type { CallOutcome, IterationInfo, IterationOutcome, ScriptExports } from './protocol.ts';

export type { ScriptExports };

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

/** Host services a VU's bindings call into (implemented by the engine; one method per binding in bindings.ts). */
export type VuServices = ServicesFor<VuState>;

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
  private unmember: (() => void) | null = null;
  /** threads mode: an iteration or lifecycle call is in progress inside the isolate */
  private inCall = false;
  private callStart = 0;
  /** async host calls (llm, sleep) this VU is waiting for, and when the last one settled (kept by its host functions) */
  private hostCalls: HostCalls = { pending: 0, settledAt: 0 };
  private generation = 0;
  /** times this VU was rebuilt after its isolate died (memory limit, stuck iteration) */
  revivals = 0;

  /** an abandoned iteration may still be parked in this VU's context: rebuild it before its next one */
  private stale = false;

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
    // `done` is called only from inside the VU, so after `vu` below is assigned
    const pending: HostCalls = { pending: 0, settledAt: 0 };
    const host = hostFor(services, state, (token, outcome) => vu.finished(token, outcome), pending);
    const vu = new VU(id, pool, host, env, initTimeoutMs, state);
    vu.hostCalls = pending;
    await vu.build();
    return vu;
  }

  /**
   * Gives up on the iteration in progress (the run's hard stop came and it did not end: it awaits
   * something that never settles, or ignores the stop). Its promise is rejected at once; the
   * context that runs it gets inert host functions (async calls never settle, so the iteration stays
   * parked instead of spinning; other calls are ignored), and the VU is rebuilt before it runs again.
   */
  abandon(reason = 'the iteration was interrupted by the hard stop'): void {
    this.generation++;
    this.stale = true;
    this.rejectPending(new Error(reason));
  }

  /** Whether the VU must be rebuilt (revive) before its next iteration: its isolate died, or an iteration was abandoned. */
  get needsRebuild(): boolean {
    return this.stale || this.slot.disposed;
  }

  /** Creates the context (in an isolate with room) and runs the init code. */
  private async build(): Promise<void> {
    const slot = this.pool.slotForNewVU();
    let cslot: ContextSlot | undefined;
    try {
      // results of calls made by an earlier context of this VU (before a revive) are dropped
      const gen = ++this.generation;
      this.stale = false;
      const live = () => gen === this.generation;
      const settle = this.pool.inline ? (id: number, ok: boolean, v: unknown) => live() && this.settle(id, ok, v) : null;
      const host = guardHost(this.host, live);
      const refs = await slot.runAsync(async () => {
        cslot = await slot.contextFor(this.pool.vusPerContext);
        this.ctx = cslot.ctx;
        return addVuToContext(cslot.ctx, host, this.id, this.env, this.initTimeoutMs, settle);
      });
      this.iterateRef = refs.iterate;
      this.callRef = refs.call;
      this.startRef = refs.start;
      this.settleRef = refs.settle;
      this.unhook = slot.onDispose((e) => this.rejectPending(e));
      this.unmember = slot.addMember({ id: this.id, readySince: () => (this.inCall && this.hostCalls.pending === 0 ? Math.max(this.callStart, this.hostCalls.settledAt) : undefined) });
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
    this.unmember?.();
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
    return this.onThread(this.iterateRef.apply(undefined, [info], {
      arguments: { copy: true },
      result: { promise: true, copy: true },
      ...(timeoutMs ? { timeout: timeoutMs } : {}),
    }) as Promise<IterationOutcome>);
  }

  /** Calls an exported lifecycle function (setup, teardown, handleSummary) with JSON data. */
  call(name: string, json: string | undefined, timeoutMs?: number): Promise<CallOutcome> {
    if (this.pool.inline) return this.startInline('call', name, json, timeoutMs) as Promise<CallOutcome>;
    return this.onThread(this.callRef.apply(undefined, [name, json], {
      arguments: { copy: true },
      result: { promise: true, copy: true },
      ...(timeoutMs ? { timeout: timeoutMs } : {}),
    }) as Promise<CallOutcome>);
  }

  /**
   * Threads mode: marks the call in progress (so that an isolate that dies names the VU whose code
   * was running: the one in a call and not waiting on the host), and names it when the call's own
   * timeout stopped it or it was running when the isolate died.
   */
  private onThread<T>(p: Promise<T>): Promise<T> {
    this.inCall = true;
    this.callStart = performance.now();
    const slot = this.slot;
    return p.then(
      (v) => {
        this.inCall = false;
        return v;
      },
      (e: unknown) => {
        if (isTimeoutError(e) && !slot.disposed) slot.culprit ??= this.id;
        else if (slot.disposed) slot.culprit ??= slot.runningMember() ?? this.id;
        this.inCall = false;
        throw e;
      },
    );
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
          const t = this.pool.turnStart();
          this.startRef.applySync(undefined, [token, kind, a, b], this.turnOpts);
          this.pool.turnEnd(t);
        },
        (e) => this.rejectPending(e),
        false,
        this.id,
      ));
    });
  }

  /** H.done from inside the VU: the call started with `token` has ended. */
  private finished(token: number, outcome: IterationOutcome | CallOutcome): void {
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
        const t = this.pool.turnStart();
        this.settleRef.applySync(undefined, [id, ok, value], this.turnOpts);
        this.pool.turnEnd(t);
      },
      (e) => this.rejectPending(e),
      true,
      this.id,
    );
  }

  get isolateDisposed(): boolean {
    return this.slot.disposed;
  }

  dispose(): void {
    this.unhook?.();
    this.unmember?.();
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

/** Never settles: what an abandoned context's async host calls get (runtime/vu/vu.ts VU.abandon). */
const PARKED: Promise<never> = new Promise(() => {});

/**
 * The host functions one build of a VU installs in its context: `host`'s, inert once that build is
 * no longer the VU's current one (after a revive or an abandoned iteration): async calls never
 * settle, the others do nothing. One comparison per call.
 */
function guardHost(host: HostImpl, live: () => boolean): HostImpl {
  const out: Partial<Record<HostName, HostFn>> = {};
  for (const name of Object.keys(host) as HostName[]) {
    const f = host[name] as HostFn;
    out[name] = HOST_MODES[name] === 'async' ? (...a) => (live() ? f(...a) : PARKED) : (...a) => (live() ? f(...a) : undefined);
  }
  return out as HostImpl;
}

/**
 * The host side of one VU's bindings: binding `x` calls `services.x(state, ...args)`; `done` is the
 * VU's own. Sync and ignored bindings become isolated-vm Callbacks, which copy results into the VU
 * themselves; async results are copied by the VU's apply (threads) or by settle (inline); a
 * syncPromise result crosses through a Reference and must be made transferable here.
 */
/** A VU's async host calls in flight, and when the last one settled (performance.now()). */
interface HostCalls {
  pending: number;
  settledAt: number;
}

function hostFor(services: VuServices, state: VuState, done: HostImpl['done'], calls: HostCalls): HostImpl {
  const host: Partial<Record<HostName, HostFn>> = { done };
  const settled = () => {
    calls.pending--;
    calls.settledAt = performance.now();
  };
  for (const name of SERVICE_NAMES) {
    const f = serviceMethod(services, name, state);
    const mode = HOST_MODES[name];
    if (mode === 'syncPromise') host[name] = async (...a: never[]) => copyOut(await f(...a));
    else if (mode === 'async') {
      // counted while pending: a VU waiting on the host is not the one running when its isolate dies
      host[name] = (...a: never[]) => {
        calls.pending++;
        const p = f(...a) as Promise<unknown>;
        p.then(settled, settled);
        return p;
      };
    } else host[name] = f;
  }
  return host as HostImpl;
}

type HostFn = (...args: never[]) => unknown;
type ServiceMethod = (vu: VuState, ...args: never[]) => unknown;

/**
 * `services[name]` with the VU's state as its first argument. The method is bound once per VU (the
 * wrapper around it allocates nothing per call once optimised, and is the plain function an
 * isolated-vm Callback needs); the run builds its services once (runtime/engine/load.ts).
 */
function serviceMethod(services: VuServices, name: (typeof SERVICE_NAMES)[number], state: VuState): HostFn {
  const f = (services[name] as ServiceMethod).bind(services, state);
  return (...a) => f(...a);
}

/** applySyncPromise resolves only to transferable values: copy plain data in. */
function copyOut(v: unknown): unknown {
  if (v === null || v === undefined || typeof v !== 'object') return v;
  return new ivm.ExternalCopy(v).copyInto();
}
