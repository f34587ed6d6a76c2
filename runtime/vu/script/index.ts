/**
 * The VU prelude's entry (bundled by prelude-bundle.mjs; it runs first in every VU context). It
 * defines `__llmperf_make_vu(id, env, inline)`, which for one VU takes that VU's host functions
 * (bindings.ts) off the global object, builds its script API (ScriptApi, modules.ts), runs the
 * bundled script's factory (`__llmperf_bundle`, see runtime/bundle/bundle.ts) with that API, and
 * registers the entry points the host calls (entry.ts) in `__llmperf_vus`.
 *
 * A context holds one VU by default (its own globals) or several (--vus-per-context): then each VU
 * still has its own module state, `__VU`, `__ITER`, `__ENV`, `open` and `console`, but they share
 * the context's global object.
 *
 * Everything here runs inside the isolate, where nothing of the host's module graph exists: these
 * modules import only each other and types.
 */
import type { VuEntry } from '../protocol.ts';
import { makeChecks } from './checks.ts';
import { makeConsole } from './console.ts';
import { makeData, makeOpen } from './data.ts';
import { makeEntry } from './entry.ts';
import { makeExecution } from './execution.ts';
import { wireHost } from './host.ts';
import { makeLlm } from './llm.ts';
import { makeMetrics } from './metrics.ts';
import type { IterSetter, ScriptApi, ScriptFactory, VuEnv } from './modules.ts';
import { initInfo, type VuScope } from './scope.ts';
import { makeTimers } from './timers.ts';

/** The context's global object as the prelude and the host use it. */
interface ContextGlobal {
  __llmperf_vus: Map<number, VuEntry>;
  __llmperf_make_vu: (vuId: number, env: VuEnv, inline: boolean) => void;
  /** defined by the bundled script (runtime/bundle/bundle.ts) */
  __llmperf_bundle: ScriptFactory;
  // the context's own globals: those of its first VU
  __llmperf?: ScriptApi;
  open?: ScriptApi['open'];
  console?: unknown;
  setTimeout?: unknown;
  clearTimeout?: unknown;
  __VU?: number;
  __ENV?: VuEnv;
  __ITER?: number;
}

const g = globalThis as unknown as ContextGlobal;
g.__llmperf_vus = new Map();
g.__llmperf_make_vu = function (vuId, env, inline) {
  const { H, settle } = wireHost(vuId, inline);
  const vu: VuScope = { id: vuId, H, initPhase: true, group: '', iter: 0, info: initInfo() };
  const timers = makeTimers(vu);
  const open = makeOpen(vu);
  const vuConsole = makeConsole(vu);
  const api: ScriptApi = {
    llm: makeLlm(vu),
    metrics: makeMetrics(vu),
    ...makeChecks(vu),
    sleep: timers.sleep,
    open,
    data: makeData(vu),
    execution: makeExecution(vu),
  };
  // the context's own globals point at its first VU (one VU per context: they are that VU's)
  if (!g.__llmperf) {
    g.__llmperf = api;
    g.open = open;
    g.console = vuConsole;
    g.setTimeout = timers.setTimeout;
    g.clearTimeout = timers.clearTimeout;
    g.__VU = vuId;
    g.__ENV = env;
    g.__ITER = 0;
  }
  const globalIter = g.__llmperf === api ? (n: number) => void (g.__ITER = n) : null;
  const iterSetter: IterSetter = {};
  const mod = g.__llmperf_bundle(api, vuId, env, iterSetter, open, vuConsole, timers.setTimeout, timers.clearTimeout) || {};
  g.__llmperf_vus.set(vuId, makeEntry({ vu, mod, iterSetter, globalIter, settle }));
};
