/**
 * Isolates, contexts and VUs. Several VU contexts share one isolate (one V8 heap and thread), which
 * keeps memory per VU low; by default each VU has a context of its own (its own globals), and with
 * `vusPerContext > 1` several VUs share a context (each keeps its own module state, __VU, __ITER,
 * __ENV, open and console: see script/index.ts), which saves the ~150 KiB a V8 context costs.
 * The bundle and the prelude (prelude.ts) are compiled once per isolate and run once per context.
 * VUs sharing an isolate never block each other on I/O: host calls are asynchronous unless marked
 * otherwise (bindings.ts).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { isMainThread } from 'node:worker_threads';
import ivm from 'isolated-vm';
import type { Bundle } from '../bundle/bundle.ts';
import { HOST_GLOBAL_PREFIX, HOST_MODES, HOST_NAMES, type HostImpl } from './bindings.ts';
import { PRELUDE_FILENAME, preludeSource } from './prelude.ts';
import type { VuEntry } from './protocol.ts';
import { RunQueueClock } from './thread-clock.ts';

export interface IsolateOptions {
  /** heap limit per isolate, MB */
  memoryLimitMb: number;
  vusPerIsolate: number;
  /** VUs sharing one context (default 1: a context, and so globals, of their own) */
  vusPerContext?: number;
  /**
   * Where VU code runs once initialised. false (the default): inline, on the main thread — the
   * host enters a VU with applySync when it starts an iteration or hands it a result, and the VU's
   * code runs until its next await. No thread hops, no preemption of the thread that timestamps
   * the responses. true: on isolated-vm's own threads (code of CPU-heavy scripts then runs beside
   * the main thread on machines with cores to spare). Init code always runs on the isolate's thread.
   */
  threads?: boolean;
}

/** The error isolated-vm throws when a call's timeout stops it. */
export function isTimeoutError(e: unknown): boolean {
  return e instanceof Error && /execution timed out/i.test(e.message);
}

/** A VU as its isolate sees it: which one it is, and since when its code could run. */
export interface IsolateMember {
  readonly id: number;
  /**
   * When the VU last became ready to run (its call started, or the host call it awaited settled),
   * performance.now(); undefined while it waits on the host or has no call in progress. Of the VUs
   * of an isolate that are ready, the one ready first is the one on the isolate's thread: the
   * others wait for it.
   */
  readySince(): number | undefined;
}

export interface ContextSlot {
  readonly ctx: ivm.Context;
  vus: number;
}

export class IsolateSlot {
  readonly isolate: ivm.Isolate;
  contexts = 0;
  /** disposed because code ran on the CPU without yielding for too long (else: memory limit) */
  stuck = false;
  /** asynchronous operations (init, context set-up) in flight on the isolate's thread */
  private busy = 0;
  /** inline calls waiting for the busy operations to end (the main thread never waits for the isolate's lock) */
  private deferred: Array<() => void> = [];
  private readonly disposeHooks = new Set<(e: Error) => void>();
  private readonly members = new Set<IsolateMember>();
  /**
   * The VU whose code was running when the isolate died (the one that ran out of memory or would not
   * yield), so that reports name it and not whichever VU noticed first; undefined when unknown.
   */
  culprit: number | undefined;
  private readonly open: ContextSlot[] = [];
  private prelude?: ivm.Script;
  private script?: ivm.Script;
  constructor(
    readonly id: number,
    private readonly bundle: Bundle,
    memoryLimitMb: number,
  ) {
    this.isolate = new ivm.Isolate({ memoryLimit: memoryLimitMb });
  }
  private async scripts(): Promise<{ prelude: ivm.Script; script: ivm.Script }> {
    this.prelude ??= await this.isolate.compileScript(await preludeSource(), { filename: PRELUDE_FILENAME });
    this.script ??= await this.isolate.compileScript(this.bundle.code, { filename: this.bundle.filename });
    return { prelude: this.prelude, script: this.script };
  }

  /** A context with room for one more VU (a new one when none has room). */
  async contextFor(vusPerContext: number): Promise<ContextSlot> {
    let c = this.open.find((x) => x.vus < vusPerContext);
    if (!c) {
      const { prelude, script } = await this.scripts();
      const ctx = await this.isolate.createContext();
      await ctx.global.set('globalThis', ctx.global.derefInto());
      await prelude.run(ctx);
      await script.run(ctx); // defines the script's factory; init code runs per VU
      c = { ctx, vus: 0 };
      this.open.push(c);
    }
    c.vus++;
    return c;
  }

  releaseContext(c: ContextSlot): void {
    c.vus--;
    if (c.vus <= 0) {
      const i = this.open.indexOf(c);
      if (i >= 0) this.open.splice(i, 1);
      try {
        if (!this.disposed) c.ctx.release();
      } catch {
        /* isolate gone */
      }
    }
  }

  get disposed(): boolean {
    return this.isolate.isDisposed;
  }

  /**
   * Runs an asynchronous operation on the isolate's thread (VU init, context set-up). Inline calls
   * made meanwhile wait for it to end instead of blocking the main thread on the isolate's lock
   * (init code may itself be waiting for the main thread: datasets load with applySyncPromise).
   */
  async runAsync<T>(f: () => Promise<T>): Promise<T> {
    this.busy++;
    try {
      return await f();
    } finally {
      if (--this.busy === 0 && this.deferred.length) {
        const q = this.deferred;
        this.deferred = [];
        for (const g of q) g();
      }
    }
  }

  /**
   * Runs `f` (an applySync into this isolate) now, or once the isolate's asynchronous operations
   * have ended. An error that leaves the isolate disposed (memory limit) goes to every VU of the
   * isolate; a timeout disposes the isolate as stuck when `stuckOnTimeout` (code that looped after
   * an await, as the watchdog does on threads), else it goes to `onError` like any other error (the
   * synchronous start of an iteration, as isolated-vm's call timeout does on threads).
   */
  inline(f: () => void, onError: (e: Error) => void, stuckOnTimeout: boolean, vuId?: number): void {
    if (this.busy > 0) {
      this.deferred.push(() => this.inline(f, onError, stuckOnTimeout, vuId));
      return;
    }
    if (this.isolate.isDisposed) {
      onError(new Error('the isolate was disposed'));
      return;
    }
    try {
      f();
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      if ((stuckOnTimeout && isTimeoutError(err)) || this.isolate.isDisposed) this.culprit ??= vuId;
      if (stuckOnTimeout && isTimeoutError(err)) this.disposeAsStuck(err);
      else if (this.isolate.isDisposed) this.notifyDisposed(err);
      else onError(err);
    }
  }

  /** Called with the cause when the isolate goes away; returns the unsubscribe function. */
  onDispose(hook: (e: Error) => void): () => void {
    this.disposeHooks.add(hook);
    return () => this.disposeHooks.delete(hook);
  }

  /** A VU that lives in this isolate (until the returned function is called). */
  addMember(m: IsolateMember): () => void {
    this.members.add(m);
    return () => this.members.delete(m);
  }

  /** Test VUs (not VU 0, which runs setup and teardown) living in this isolate. */
  get testVus(): number {
    let n = 0;
    for (const m of this.members) if (m.id > 0) n++;
    return n;
  }

  /** The VU most likely on the isolate's thread now (see IsolateMember.readySince). */
  runningMember(): number | undefined {
    let best: { id: number; t: number } | undefined;
    for (const m of this.members) {
      const t = m.readySince();
      if (t !== undefined && (!best || t < best.t)) best = { id: m.id, t };
    }
    return best?.id;
  }

  private notifyDisposed(e: Error): void {
    this.culprit ??= this.runningMember();
    const hooks = [...this.disposeHooks];
    this.disposeHooks.clear();
    for (const h of hooks) h(e);
  }
  /** CPU time the isolate has used, ms (for the stuck-iteration watchdog). */
  cpuMs(): number {
    try {
      return Number(this.isolate.cpuTime) / 1e6;
    } catch {
      return 0;
    }
  }
  dispose(cause: Error = new Error('the isolate was disposed')): void {
    if (!this.isolate.isDisposed) this.isolate.dispose();
    this.notifyDisposed(cause);
  }

  /** Disposes an isolate whose code would not yield (the watchdog, or an inline call's timeout). */
  disposeAsStuck(cause: Error = new Error('the isolate was stopped: its code ran on the CPU without yielding')): void {
    this.stuck = true;
    this.dispose(cause);
  }
}

/**
 * isolated-vm lets go of the main isolate in a Node cleanup hook when the process ends; a garbage
 * collection after that hook (a scavenge or marking task drained on the way out) that meets a dead
 * isolated-vm handle runs its weak callback without an environment and aborts the process
 * (`environment != nullptr`, exit 134) after the run has been written. So the last thing before a
 * natural exit is one full collection, while isolated-vm still holds the main isolate: the handles
 * that died during the run are released then, not during the teardown. The collector is reached
 * through a new context made while --expose-gc is on; the flag is turned off again at once, so the
 * VU contexts made later have no `gc`.
 */
let exitCollection = false;
function collectBeforeExit(): void {
  if (exitCollection || !isMainThread) return;
  exitCollection = true;
  let gc: (() => void) | undefined;
  try {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  } catch {
    return;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
  process.once('beforeExit', () => gc!());
}

export class IsolatePool {
  private slots: IsolateSlot[] = [];
  private seq = 0;
  readonly vusPerContext: number;
  constructor(
    private readonly bundle: Bundle,
    private readonly opts: IsolateOptions,
  ) {
    this.vusPerContext = Math.max(1, opts.vusPerContext ?? 1);
    this.inline = !opts.threads;
    collectBeforeExit();
  }

  /** VU code runs inline on the main thread (see IsolateOptions.threads). */
  readonly inline: boolean;

  /**
   * Inline turns that held the main thread longer than this (ms) are reported to onSlowTurn. The
   * time a turn held it is its wall time minus the time the thread waited for a CPU meanwhile
   * (thread-clock.ts): a busy machine makes turns slow, not the VU code.
   */
  slowTurnMs = 20;
  onSlowTurn: ((ms: number) => void) | undefined;
  /** the main thread's run-queue clock (created lazily, on the thread that runs the inline turns) */
  private runQueue: RunQueueClock | undefined;
  private turnQueued = 0;
  private turnQueuedAt = -Infinity;

  /**
   * Before an inline turn (an applySync into a VU): returns its start, for turnEnd. The run-queue
   * clock is a system call: turns that follow each other within 2 ms (a burst of results handed
   * back) share one reading, which can count at most those 2 ms of waiting into the next turn.
   */
  turnStart(): number {
    const now = performance.now();
    if (now - this.turnQueuedAt > 2) {
      this.turnQueued = (this.runQueue ??= new RunQueueClock()).waitedMs();
      this.turnQueuedAt = now;
    }
    return now;
  }

  /** After an inline turn started at `t`. */
  turnEnd(t: number): void {
    const wall = performance.now() - t;
    if (wall <= this.slowTurnMs || !this.onSlowTurn) return;
    const held = wall - Math.max(0, this.runQueue!.waitedMs() - this.turnQueued);
    if (held > this.slowTurnMs) this.onSlowTurn(held);
  }

  /** The isolate the next VU goes into. */
  slotForNewVU(): IsolateSlot {
    let slot = this.slots.find((s) => !s.disposed && s.contexts < Math.max(this.opts.vusPerIsolate, this.vusPerContext));
    if (!slot) {
      slot = new IsolateSlot(++this.seq, this.bundle, this.opts.memoryLimitMb);
      this.slots.push(slot);
    }
    slot.contexts++;
    return slot;
  }

  release(slot: IsolateSlot): void {
    slot.contexts--;
  }

  /** Live isolates (the watchdog walks them). */
  live(): IsolateSlot[] {
    return this.slots.filter((s) => !s.disposed);
  }

  get isolates(): number {
    return this.slots.filter((s) => !s.disposed).length;
  }

  dispose(): void {
    for (const s of this.slots) s.dispose();
    this.slots = [];
    this.runQueue?.close();
    this.runQueue = undefined;
  }
}

/** Settles an inline async host call inside the VU (its entry.settle, script/entry.ts). */
export type InlineSettle = (id: number, ok: boolean, value: unknown) => void;

export interface VuRefs {
  iterate: ivm.Reference;
  call: ivm.Reference;
  /** inline mode: entry.start(token, kind, a, b) and entry.settle(id, ok, value) (protocol.ts VuEntry) */
  start: ivm.Reference;
  settle: ivm.Reference;
}

/**
 * Adds VU `vuId` to a context: installs its host functions (bindings.ts), then runs its init code
 * (the script's top level) through the prelude's __llmperf_make_vu, within `initTimeoutMs`. With `settle`
 * (inline mode), async host functions become synchronous callbacks that start the host's work and
 * hand the outcome back later through `settle`; otherwise they are references the VU applies
 * asynchronously from the isolate's thread.
 */
export async function addVuToContext(ctx: ivm.Context, host: HostImpl, vuId: number, env: Record<string, string>, initTimeoutMs = 0, settle: InlineSettle | null = null): Promise<VuRefs> {
  const g = ctx.global;
  for (const name of HOST_NAMES) {
    const mode = HOST_MODES[name];
    const fn = host[name] as (...a: unknown[]) => unknown;
    let value: ivm.Reference | ivm.Callback;
    if (mode === 'async' && settle) {
      value = new ivm.Callback((id: number, ...args: unknown[]) => {
        let p: Promise<unknown>;
        try {
          p = fn(...args) as Promise<unknown>;
        } catch (e) {
          p = Promise.reject(e);
        }
        p.then(
          (v) => settle(id, true, v),
          (e: unknown) => settle(id, false, e instanceof Error ? e.message : String(e)),
        );
      });
    } else if (mode === 'async' || mode === 'syncPromise') value = new ivm.Reference(fn);
    // fire-and-forget spares a VU on its own thread a wait for the main thread; inline, the call
    // is on the main thread already (and isolated-vm would defer an ignored one)
    else if (mode === 'ignored' && !settle) value = new ivm.Callback(fn, { ignored: true });
    else value = new ivm.Callback(fn);
    await g.set(`${HOST_GLOBAL_PREFIX}${vuId}_${name}`, value);
  }
  await ctx.evalClosure('__llmperf_make_vu($0, $1, $2)', [vuId, env, settle !== null], { arguments: { copy: true }, ...(initTimeoutMs > 0 ? { timeout: initTimeoutMs } : {}) });
  const ref = async (name: keyof VuEntry) => (await ctx.evalClosure(`return __llmperf_vus.get($0).${name}`, [vuId], { arguments: { copy: true }, result: { reference: true } })) as ivm.Reference;
  return { iterate: await ref('iterate'), call: await ref('call'), start: await ref('start'), settle: await ref('settle') };
}

export { ivm };
