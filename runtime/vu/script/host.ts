/**
 * `H`: one VU's host functions, wired from the globals the host installed for it (isolates.ts
 * addVuToContext), by each binding's mode (bindings.ts). The globals are deleted: nothing of the host
 * stays reachable from the script.
 */
import { HOST_BINDINGS, HOST_GLOBAL_PREFIX, type HostName, type VuHost } from '../bindings.ts';

/** A host Reference as the isolate sees it (isolated-vm's Reference, the parts used here). */
interface HostRef {
  apply(receiver: undefined, args: unknown[], options: object): Promise<unknown>;
  applySyncPromise(receiver: undefined, args: unknown[], options: object): unknown;
}
type HostCallback = (...args: unknown[]) => unknown;

// isolated-vm reads these; one object each, not one per call
const ASYNC_APPLY = { arguments: { copy: true }, result: { promise: true, copy: true } };
const SYNC_PROMISE_APPLY = { arguments: { copy: true } };

export interface WiredHost {
  H: VuHost;
  /** inline mode: hands the outcome of async host call `id` to the VU code awaiting it */
  settle(id: number, ok: boolean, value: unknown): void;
}

export function wireHost(vuId: number, inline: boolean): WiredHost {
  const g = globalThis as unknown as Record<string, unknown>;
  const H: Partial<Record<HostName, HostCallback>> = {};
  // inline mode: async host calls wait here until the host calls entry.settle(id, ok, value)
  const waits = new Map<number, [(v: unknown) => void, (e: Error) => void]>();
  let callSeq = 0;
  for (const name of Object.keys(HOST_BINDINGS) as HostName[]) {
    const key = HOST_GLOBAL_PREFIX + vuId + '_' + name;
    const ref = g[key];
    delete g[key];
    const mode = HOST_BINDINGS[name].mode;
    if (mode === 'async' && inline) {
      // a callback that starts the host's work: (call id, ...args)
      const start = ref as HostCallback;
      H[name] = (...args) =>
        new Promise((resolve, reject) => {
          const id = ++callSeq;
          waits.set(id, [resolve, reject]);
          try {
            start(id, ...args);
          } catch (e) {
            waits.delete(id);
            throw e;
          }
        });
    } else if (mode === 'async') H[name] = (...args) => (ref as HostRef).apply(undefined, args, ASYNC_APPLY);
    else if (mode === 'syncPromise') H[name] = (...args) => (ref as HostRef).applySyncPromise(undefined, args, SYNC_PROMISE_APPLY);
    else H[name] = ref as HostCallback;
  }
  return {
    H: H as VuHost,
    settle(id, ok, value) {
      const w = waits.get(id);
      if (w === undefined) return;
      waits.delete(id);
      if (ok) w[0](value);
      else w[1](new Error(value as string));
    },
  };
}
