/**
 * The modules a script may import. Each is a thin ES module over the VU's API object (`__llmperf`: a
 * parameter of the bundle's factory, see bundle.ts, so every VU gets its own even when several
 * share a context); the implementations are the VU side's (runtime/vu/script/), which call the host.
 * What each module exports is declared once, in runtime/vu/script/modules.ts.
 */
import { API_PARAM, SCRIPT_MODULES, type ScriptModuleName } from '../vu/script/modules.ts';

function moduleSource(name: ScriptModuleName): string {
  const m = SCRIPT_MODULES[name];
  const aliases: Record<string, string> = 'aliases' in m ? m.aliases : {};
  const exported = [...m.names.map((n) => `${n} = m.${n}`), ...Object.entries(aliases).map(([alias, n]) => `${alias} = m.${n}`)];
  // the core module's default export is an object of its names; another module's, its object
  const dflt = m.from === null ? `{ ${m.names.join(', ')} }` : 'm';
  return `const m = ${m.from === null ? API_PARAM : `${API_PARAM}.${m.from}`};\nexport const ${exported.join(', ')};\nexport default ${dflt};`;
}

/** Module name -> its source. */
export const VIRTUAL_MODULES: Record<string, string> = Object.fromEntries((Object.keys(SCRIPT_MODULES) as ScriptModuleName[]).map((n) => [n, moduleSource(n)]));

/** What to say when a script imports something that cannot run in the sandbox. */
export const FORBIDDEN_HINTS: Record<string, string> = {
  fs: 'use open(path) in init code to read a file, or llmperf/data for datasets',
  'fs/promises': 'use open(path) in init code to read a file, or llmperf/data for datasets',
  path: 'paths given to open() and llmperf/data are relative to the script',
  http: 'use llmperf/llm (llm.chat, llm.complete, llm.request) for requests',
  https: 'use llmperf/llm (llm.chat, llm.complete, llm.request) for requests',
  net: 'use llmperf/llm for requests',
  child_process: 'scripts cannot start processes',
  process: 'use __ENV for environment variables and llmperf/execution for run information',
  os: 'use __ENV and llmperf/execution',
  worker_threads: 'every VU already runs in its own isolate',
};
