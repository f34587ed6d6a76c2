/**
 * Isolates and VU contexts. Each VU is its own context (own globals); several VU contexts share
 * one isolate (one V8 heap and thread), which keeps memory per VU low. The bundle and the prelude
 * are compiled once per isolate. VUs sharing an isolate never block each other on I/O: all host
 * calls are asynchronous unless marked otherwise in protocol.ts.
 */
import ivm from 'isolated-vm';
import type { Bundle } from '../bundle/bundle.ts';
import { PRELUDE, PRELUDE_FILENAME } from './prelude.ts';
import { HOST_GLOBAL_PREFIX, HOST_MODES, type HostImpl, type HostName } from './protocol.ts';

export interface IsolateOptions {
  /** heap limit per isolate, MB */
  memoryLimitMb: number;
  vusPerIsolate: number;
}

export class IsolateSlot {
  readonly isolate: ivm.Isolate;
  contexts = 0;
  private prelude?: ivm.Script;
  private script?: ivm.Script;
  constructor(
    readonly id: number,
    private readonly bundle: Bundle,
    memoryLimitMb: number,
  ) {
    this.isolate = new ivm.Isolate({ memoryLimit: memoryLimitMb });
  }
  async scripts(): Promise<{ prelude: ivm.Script; script: ivm.Script }> {
    this.prelude ??= await this.isolate.compileScript(PRELUDE, { filename: PRELUDE_FILENAME });
    this.script ??= await this.isolate.compileScript(this.bundle.code, { filename: this.bundle.filename });
    return { prelude: this.prelude, script: this.script };
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
  constructor(
    private readonly bundle: Bundle,
    private readonly opts: IsolateOptions,
  ) {}

  /** The isolate the next VU context goes into. */
  slotForNewVU(): IsolateSlot {
    let slot = this.slots.find((s) => !s.disposed && s.contexts < this.opts.vusPerIsolate);
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

/** Creates a context in `slot` with the host functions installed, runs prelude then bundle. */
export async function createVuContext(slot: IsolateSlot, host: HostImpl, globals: Record<string, unknown>, initTimeoutMs = 0): Promise<ivm.Context> {
  const { prelude, script } = await slot.scripts();
  const ctx = await slot.isolate.createContext();
  const g = ctx.global;
  await g.set('globalThis', g.derefInto());
  for (const name of Object.keys(HOST_MODES) as HostName[]) {
    const mode = HOST_MODES[name];
    const fn = host[name] as (...a: unknown[]) => unknown;
    const value =
      mode === 'async' || mode === 'syncPromise'
        ? new ivm.Reference(fn)
        : mode === 'ignored'
          ? new ivm.Callback(fn, { ignored: true })
          : new ivm.Callback(fn);
    await g.set(HOST_GLOBAL_PREFIX + name, value);
  }
  for (const [k, v] of Object.entries(globals)) await g.set(k, new ivm.ExternalCopy(v).copyInto());
  await prelude.run(ctx);
  await script.run(ctx, initTimeoutMs > 0 ? { timeout: initTimeoutMs } : {});
  return ctx;
}

export { ivm };
