/**
 * The host functions a VU can call, declared once: each one's name, mode and host-side signature.
 * Everything else derives from this table:
 * - the host map (vu.ts hostFor): binding `x` calls the services method `x` with the calling VU's
 *   state first (VuServices below), `done` is the VU's own;
 * - the installation into a context (isolates.ts addVuToContext), by mode;
 * - the VU side: `H`, the typed host functions the script API is built on (script/host.ts).
 *
 * Modes:
 * - `async`: returns a promise inside the VU, which keeps running meanwhile. Inline (the default),
 *   the host starts the work from a synchronous callback and hands the outcome back later with the
 *   VU's entry.settle; on isolate threads the VU applies a Reference asynchronously.
 * - `sync`: blocks the calling VU briefly; the result is copied into the VU.
 * - `syncPromise`: blocks the calling isolate until the host's promise settles (init-time loading
 *   only: it holds every VU of the isolate); the result is copied into the VU.
 * - `ignored`: fire-and-forget; the VU gets no result.
 * Arguments always cross by copy.
 *
 * Adding a binding: docs/developer-experience.md ("Adding a script API binding").
 *
 * This file is bundled into the isolate too (script/host.ts reads the modes): values only, no
 * imports but types.
 */
import type { DatasetItem } from '../../types/dataset-plugin.d.ts';
import type { LlmCallOptions, LlmResult } from '../llm/types.ts';
import type { MetricType } from '../metrics/types.ts';
import type { CallOutcome, DatasetHandle, ExecInfoKind, IterationOutcome, LlmKind, LogLevel } from './protocol.ts';

export type HostMode = 'async' | 'sync' | 'syncPromise' | 'ignored';

type Fn = (...args: never[]) => unknown;

/** A host function's declaration: its mode, and its host-side signature `F` (a type only). */
export interface Binding<M extends HostMode, F extends Fn> {
  readonly mode: M;
  /** never set: carries the signature for the derived types */
  readonly signature?: F;
}

/** Declares a binding of each mode: `host.async<(ms: number) => Promise<void>>()`. */
const host = {
  async: <F extends (...args: never[]) => Promise<unknown>>(): Binding<'async', F> => ({ mode: 'async' }),
  syncPromise: <F extends (...args: never[]) => Promise<unknown>>(): Binding<'syncPromise', F> => ({ mode: 'syncPromise' }),
  sync: <F extends Fn>(): Binding<'sync', F> => ({ mode: 'sync' }),
  ignored: <F extends (...args: never[]) => void>(): Binding<'ignored', F> => ({ mode: 'ignored' }),
};

/** Host functions served by the run's services (engine/services.ts): method `x` for binding `x`. */
export const SERVICE_BINDINGS = {
  llm: host.async<(kind: LlmKind, params: Record<string, unknown>, opts: LlmCallOptions | null, group: string) => Promise<LlmResult>>(),
  sleep: host.async<(ms: number) => Promise<void>>(),
  dataset: host.syncPromise<(kind: string, args: Record<string, unknown>) => Promise<DatasetHandle>>(),
  datasetGet: host.sync<(id: number, index: number) => DatasetItem>(),
  datasetNext: host.sync<(id: number) => DatasetItem>(),
  open: host.sync<(path: string, binary: boolean) => string | ArrayBuffer>(),
  define: host.sync<(name: string, type: MetricType, isTime: boolean) => void>(),
  execInfo: host.sync<(what: ExecInfoKind) => Record<string, number>>(),
  metric: host.ignored<(name: string, value: number, tags: Record<string, string> | null, group: string) => void>(),
  check: host.ignored<(name: string, ok: boolean, tags: Record<string, string> | null, group: string) => void>(),
  log: host.ignored<(level: LogLevel, msg: string) => void>(),
  abort: host.ignored<(msg: string) => void>(),
};

/** Host functions the VU object itself serves. */
export const VU_BINDINGS = {
  /** inline mode: an iteration or lifecycle call started with entry.start(token, …) has ended */
  done: host.sync<(token: number, outcome: IterationOutcome | CallOutcome) => void>(),
};

export const HOST_BINDINGS = { ...SERVICE_BINDINGS, ...VU_BINDINGS };

type HostBindings = typeof HOST_BINDINGS;
export type HostName = keyof HostBindings;
export type ServiceName = keyof typeof SERVICE_BINDINGS;
type SigOf<B> = B extends Binding<HostMode, infer F> ? F : never;
type ModeOf<B> = B extends Binding<infer M, Fn> ? M : never;

/** Each host function's mode and host-side signature. */
export type HostFunctions = { [K in HostName]: { mode: ModeOf<HostBindings[K]>; fn: SigOf<HostBindings[K]> } };
/** The host side of a VU's bindings: what vu.ts installs for one VU. */
export type HostImpl = { [K in HostName]: HostFunctions[K]['fn'] };

/** What a VU's bindings call into (implemented by the engine): binding `x` -> `x(vu, ...args)`. */
export type ServicesFor<State> = { [K in ServiceName]: (vu: State, ...args: Parameters<SigOf<HostBindings[K]>>) => ReturnType<SigOf<HostBindings[K]>> };

/** `H`: the host functions as VU code calls them (inside the isolate). */
export type VuHost = { [K in HostName]: VuSide<HostBindings[K]> };
type VuSide<B> =
  B extends Binding<'async', infer F> ? (...args: Parameters<F>) => ReturnType<F>
  : B extends Binding<'syncPromise', infer F> ? (...args: Parameters<F>) => Awaited<ReturnType<F>>
  : B extends Binding<'ignored', infer F> ? (...args: Parameters<F>) => void
  : B extends Binding<'sync', infer F> ? F
  : never;

export const HOST_NAMES = Object.keys(HOST_BINDINGS) as HostName[];
export const SERVICE_NAMES = Object.keys(SERVICE_BINDINGS) as ServiceName[];

export const HOST_MODES = Object.fromEntries(HOST_NAMES.map((n) => [n, HOST_BINDINGS[n].mode])) as { [K in HostName]: HostFunctions[K]['mode'] };

/** Global name of each host function inside a VU context: prefix + VU id + '_' + name (the VU side removes them). */
export const HOST_GLOBAL_PREFIX = '__llmperf_host_';
