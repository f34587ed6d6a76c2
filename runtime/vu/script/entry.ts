/** A VU's entry points, called by the host (protocol.ts VuEntry): exports, iterations, lifecycle calls. */
import type { CallOutcome, IterationOutcome, VuEntry, VuError } from '../protocol.ts';
import { LlmperfAbort, LlmperfFail } from './errors.ts';
import type { IterSetter, ScriptNamespace } from './modules.ts';
import type { VuScope } from './scope.ts';

function describeError(e: unknown): VuError {
  const kind = e instanceof LlmperfAbort ? 'abort' : e instanceof LlmperfFail ? 'fail' : 'exception';
  if (e instanceof Error) return { message: e.message, stack: String(e.stack || e.message), name: e.name, kind };
  return { message: String(e), stack: String(e), name: 'Error', kind };
}

type ScriptFunction = (data: unknown) => unknown;

export interface EntryDeps {
  vu: VuScope;
  /** the script's exports */
  mod: ScriptNamespace;
  iterSetter: IterSetter;
  /** sets the context's global __ITER (the context's first VU only), else null */
  globalIter: ((n: number) => void) | null;
  /** inline mode: hands an async host call's outcome to the VU (host.ts) */
  settle: VuEntry['settle'];
}

export function makeEntry({ vu, mod, iterSetter, globalIter, settle }: EntryDeps): VuEntry {
  const H = vu.H;
  let setupData: unknown = undefined;
  const entry: VuEntry = {
    init_exports() {
      const fns = Object.keys(mod).filter((k) => typeof mod[k] === 'function');
      let options: string | null = null;
      if (mod.options !== undefined) {
        try {
          options = JSON.stringify(mod.options);
        } catch (e) {
          throw new Error('export const options must be JSON-serialisable: ' + (e as Error).message);
        }
      }
      return { functions: fns, options: options };
    },
    end_init() {
      vu.initPhase = false;
    },
    set_data(json) {
      setupData = json === undefined ? undefined : JSON.parse(json);
    },
    async iterate(info): Promise<IterationOutcome> {
      vu.iter = info.iter;
      if (iterSetter.set) iterSetter.set(info.iter);
      if (globalIter) globalIter(info.iter);
      vu.info = info;
      vu.group = '';
      const fn = mod[info.exec];
      if (typeof fn !== 'function') return { ok: false, error: { message: 'the script has no exported function "' + info.exec + '"', stack: '', name: 'Error', kind: 'exception' } };
      try {
        await (fn as ScriptFunction)(setupData);
        return { ok: true };
      } catch (e) {
        return { ok: false, error: describeError(e) };
      }
    },
    async call(name, json): Promise<CallOutcome> {
      const fn = mod[name];
      if (typeof fn !== 'function') return { ok: true, absent: true };
      try {
        const r = await (fn as ScriptFunction)(json === undefined ? undefined : JSON.parse(json));
        let out: string | undefined;
        if (r !== undefined) {
          try {
            out = JSON.stringify(r);
          } catch (e) {
            throw new Error(name + '() must return JSON-serialisable data: ' + (e as Error).message);
          }
        }
        return { ok: true, result: out };
      } catch (e) {
        return { ok: false, error: describeError(e) };
      }
    },
    // inline mode: the host starts iterations and lifecycle calls with start(), learns their outcome
    // through H.done, and hands back the results of async host calls with settle()
    start(token, kind, a, b) {
      const p = kind === 'iterate' ? entry.iterate(a as Parameters<VuEntry['iterate']>[0]) : entry.call(a as string, b);
      void p.then((o) => H.done(token, o));
    },
    settle,
  };
  return entry;
}
