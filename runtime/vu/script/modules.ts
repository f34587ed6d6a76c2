/**
 * The script API as modules: what each `llmperf/*` module a script imports exports, declared once.
 * runtime/bundle/virtual-modules.ts writes each module's source from SCRIPT_MODULES; the script side
 * (index.ts) builds the API object those sources read, typed as ScriptApi. Both are typed against the
 * public types (types/*.d.ts), so a module, a name or a signature that drifts from them fails to
 * compile.
 *
 * The host (runtime/bundle/) imports its values, the script side only its types: keep it free of
 * imports but types.
 */
import type * as CorePublic from '../../../types/index.d.ts';
import type * as DataPublic from '../../../types/data.d.ts';
import type * as ExecutionPublic from '../../../types/execution.d.ts';
import type * as LlmPublic from '../../../types/llm.d.ts';
import type * as MetricsPublic from '../../../types/metrics.d.ts';

export type CoreModule = typeof CorePublic.default;
export type LlmModule = typeof LlmPublic.default;
export type MetricsModule = typeof MetricsPublic.default;
export type DataModule = typeof DataPublic.default;
export type ExecutionModule = typeof ExecutionPublic.default;

/**
 * One VU's script API: `__llmperf` inside the bundle (and, for a context's first VU, on its global
 * object). The core functions sit at the top, each other module under its key.
 */
export interface ScriptApi extends CoreModule {
  llm: LlmModule;
  metrics: MetricsModule;
  data: DataModule;
  execution: ExecutionModule;
}

type ModuleKey = 'llm' | 'metrics' | 'data' | 'execution';

/**
 * A module: `from` is its object in ScriptApi (null: the core functions at the top), `names` its named
 * exports (properties of that object), `aliases` further names for some of them. Its default export is
 * its object (the core module's: an object of its names).
 */
interface ModuleDecl<K extends ModuleKey | null> {
  readonly from: K;
  readonly names: readonly (keyof (K extends ModuleKey ? ScriptApi[K] : CoreModule))[];
  readonly aliases?: Readonly<Record<string, keyof (K extends ModuleKey ? ScriptApi[K] : CoreModule)>>;
}
type AnyModuleDecl = ModuleDecl<null> | ModuleDecl<'llm'> | ModuleDecl<'metrics'> | ModuleDecl<'data'> | ModuleDecl<'execution'>;

export const SCRIPT_MODULES = {
  llmperf: { from: null, names: ['check', 'group', 'sleep', 'fail', 'open'] },
  'llmperf/llm': { from: 'llm', names: ['chat', 'complete', 'request', 'embed', 'rerank', 'responses'] },
  'llmperf/metrics': { from: 'metrics', names: ['Counter', 'Gauge', 'Rate', 'Trend'] },
  'llmperf/data': {
    from: 'data',
    names: ['openqa', 'longalpaca', 'lineByLine', 'sharegpt', 'jsonl', 'random', 'sharedPrefix', 'dataset', 'SharedArray'],
    aliases: { line_by_line: 'lineByLine' },
  },
  'llmperf/execution': { from: 'execution', names: ['vu', 'scenario', 'test', 'instance'] },
} as const satisfies Record<string, AnyModuleDecl>;

export type ScriptModuleName = keyof typeof SCRIPT_MODULES;

/** The name of the API object inside the bundle (the factory's first parameter). */
export const API_PARAM = '__llmperf';

/** `__ENV` as the host hands it to a VU. */
export type VuEnv = Record<string, string>;
/** Lets the VU side set the bundle's `__ITER` (the bundle installs `set`). */
export interface IterSetter {
  set?: (n: number) => void;
}
export type VuConsole = Pick<Console, 'log' | 'info' | 'warn' | 'error' | 'debug'>;
export type VuSetTimeout = (fn: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => number;
export type VuClearTimeout = (id: number) => void;
/** A script module's namespace: its exports by name. */
export type ScriptNamespace = Record<string, unknown>;

/**
 * The bundled script is a factory (runtime/bundle/bundle.ts writes its header from FACTORY_PARAMS)
 * that the VU side calls once per VU with that VU's own values of these names, which shadow the
 * context's globals; it returns the script's exports.
 */
export type ScriptFactory = (
  api: ScriptApi,
  vu: number,
  env: VuEnv,
  iter: IterSetter,
  open: CoreModule['open'],
  console: VuConsole,
  setTimeout: VuSetTimeout,
  clearTimeout: VuClearTimeout,
) => ScriptNamespace | undefined;
export const FACTORY_PARAMS = [API_PARAM, '__VU', '__ENV', '__llmperf_iter', 'open', 'console', 'setTimeout', 'clearTimeout'] as const;

// ---- compile-time agreement with types/*.d.ts (no code) ----

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

/** Each module's public declaration file. */
interface PublicModules {
  llmperf: typeof CorePublic;
  'llmperf/llm': typeof LlmPublic;
  'llmperf/metrics': typeof MetricsPublic;
  'llmperf/data': typeof DataPublic;
  'llmperf/execution': typeof ExecutionPublic;
}
/** Exports of `llmperf` that only Node programs get (the programmatic API), never a VU. */
type HostOnly = 'run' | 'errorExit' | 'ExitCode' | 'LlmperfError' | 'ConfigError' | 'ScriptError' | 'startMockServer';
type Modules = typeof SCRIPT_MODULES;
type Declared<M extends ScriptModuleName> = Modules[M]['names'][number] | (Modules[M] extends { aliases: infer A } ? keyof A : never);
type PublicValues<M extends ScriptModuleName> = Exclude<keyof PublicModules[M], 'default' | HostOnly>;
/** What a module's name reads: its object's property (through the alias). */
type Source<M extends ScriptModuleName> = Modules[M]['from'] extends ModuleKey ? ScriptApi[Modules[M]['from']] : CoreModule;
type Reads<M extends ScriptModuleName, N> = N extends keyof Source<M> ? Source<M>[N] : Modules[M] extends { aliases: infer A } ? (N extends keyof A ? (A[N] extends keyof Source<M> ? Source<M>[A[N]] : never) : never) : never;

export type ModuleChecks = [
  // every module a script can import has a public declaration file, and the reverse
  Expect<Equal<ScriptModuleName, keyof PublicModules>>,
  // each module exports exactly the values its declaration file declares
  Expect<Equal<{ [M in ScriptModuleName]: Declared<M> }, { [M in ScriptModuleName]: PublicValues<M> }>>,
  // each named export has the type the declaration file gives it
  Expect<Equal<{ [M in ScriptModuleName]: { [N in Declared<M>]: Reads<M, N> } }, { [M in ScriptModuleName]: { [N in Declared<M>]: N extends keyof PublicModules[M] ? PublicModules[M][N] : never } }>>,
  // the default export is the module's object
  Expect<Equal<{ [M in Exclude<ScriptModuleName, 'llmperf'>]: Source<M> }, { [M in Exclude<ScriptModuleName, 'llmperf'>]: PublicModules[M]['default'] }>>,
  // the factory's parameters are the names it declares
  Expect<Equal<Parameters<ScriptFactory>['length'], (typeof FACTORY_PARAMS)['length']>>,
];
