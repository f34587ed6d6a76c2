/**
 * Isolates, contexts and VUs. Several VU contexts share one isolate (one V8 heap and thread), which
 * keeps memory per VU low; by default each VU has a context of its own (its own globals), and with
 * `vusPerContext > 1` several VUs share a context (each keeps its own module state, __VU, __ITER,
 * __ENV, open and console: see prelude.ts), which saves the ~150 KiB a V8 context costs.
 * The bundle and the prelude are compiled once per isolate and run once per context. VUs sharing an
 * isolate never block each other on I/O: host calls are asynchronous unless marked otherwise.
 */
import ivm from 'isolated-vm';
import type { Bundle } from '../bundle/bundle.ts';
import { PRELUDE, PRELUDE_FILENAME } from './prelude.ts';
import { HOST_GLOBAL_PREFIX, HOST_MODES, type HostImpl, type HostName } from './protocol.ts';

export interface IsolateOptions {
  /** heap limit per isolate, MB */
  memoryLimitMb: number;
  vusPerIsolate: number;
  /** VUs sharing one context (default 1: a context, and so globals, of their own) */
  vusPerContext?: number;
}

export interface ContextSlot {
  readonly ctx: ivm.Context;
  vus: number;
}

export class IsolateSlot {
  readonly isolate: ivm.Isolate;
  contexts = 0;
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
    this.prelude ??= await this.isolate.compileScript(PRELUDE, { filename: PRELUDE_FILENAME });
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
  /** CPU time the isolate has used, ms (for the stuck-iteration watchdog). */
  cpuMs(): number {
    try {
      return Number(this.isolate.cpuTime) / 1e6;
    } catch {
      return 0;
    }
  }
  dispose(): void {
    if (!this.isolate.isDisposed) this.isolate.dispose();
  }
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
  }
}

/**
 * Adds VU `vuId` to a context: installs its host functions, then runs its init code (the script's
 * top level) through the prelude's __llmperf_make_vu, within `initTimeoutMs`.
 */
export async function addVuToContext(ctx: ivm.Context, host: HostImpl, vuId: number, env: Record<string, string>, initTimeoutMs = 0): Promise<{ iterate: ivm.Reference; call: ivm.Reference }> {
  const g = ctx.global;
  for (const name of Object.keys(HOST_MODES) as HostName[]) {
    const mode = HOST_MODES[name];
    const fn = host[name] as (...a: unknown[]) => unknown;
    const value =
      mode === 'async' || mode === 'syncPromise'
        ? new ivm.Reference(fn)
        : mode === 'ignored'
          ? new ivm.Callback(fn, { ignored: true })
          : new ivm.Callback(fn);
    await g.set(`${HOST_GLOBAL_PREFIX}${vuId}_${name}`, value);
  }
  await ctx.evalClosure('__llmperf_make_vu($0, $1)', [vuId, env], { arguments: { copy: true }, ...(initTimeoutMs > 0 ? { timeout: initTimeoutMs } : {}) });
  const iterate = (await ctx.evalClosure('return __llmperf_vus.get($0).iterate', [vuId], { arguments: { copy: true }, result: { reference: true } })) as ivm.Reference;
  const call = (await ctx.evalClosure('return __llmperf_vus.get($0).call', [vuId], { arguments: { copy: true }, result: { reference: true } })) as ivm.Reference;
  return { iterate, call };
}

export { ivm };
