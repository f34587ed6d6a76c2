/**
 * The modules a script may import. Each is a thin ES module over the VU's API object, `__llmperf`:
 * a parameter of the bundle's factory (see bundle.ts), so every VU gets its own even when several
 * share a context; the real implementations live on the host.
 */
export const VIRTUAL_MODULES: Record<string, string> = {
  llmperf: `const a = __llmperf;
export const check = a.check, group = a.group, sleep = a.sleep, fail = a.fail, open = a.open;
export default { check, group, sleep, fail, open };`,
  'llmperf/llm': `const l = __llmperf.llm;
export const chat = l.chat, complete = l.complete, request = l.request;
export default l;`,
  'llmperf/metrics': `const m = __llmperf.metrics;
export const Counter = m.Counter, Gauge = m.Gauge, Rate = m.Rate, Trend = m.Trend;
export default m;`,
  'llmperf/data': `const d = __llmperf.data;
export const openqa = d.openqa, longalpaca = d.longalpaca, lineByLine = d.lineByLine, line_by_line = d.lineByLine, sharegpt = d.sharegpt, jsonl = d.jsonl, random = d.random, sharedPrefix = d.sharedPrefix, dataset = d.dataset, SharedArray = d.SharedArray;
export default d;`,
  'llmperf/execution': `const e = __llmperf.execution;
export const vu = e.vu, scenario = e.scenario, test = e.test, instance = e.instance;
export default e;`,
};

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
