/**
 * The code that runs first in every VU context. It defines `__llmperf_make_vu(id, env)`, which for
 * one VU takes that VU's host functions (see protocol.ts) off the global object, builds its script
 * API, runs the bundled script's factory (`__llmperf_bundle`, see runtime/bundle) with that API, and
 * registers the entry points the host calls (init_exports, iterate, call, ...) in `__llmperf_vus`.
 * A context holds one VU by default (its own globals) or several (--vus-per-context): then each VU
 * still has its own module state, `__VU`, `__ITER`, `__ENV`, `open` and `console`, but they share
 * the context's global object.
 *
 * It is plain JavaScript on purpose: it runs inside the isolate, where nothing from the host's
 * module graph exists.
 */
import { HOST_GLOBAL_PREFIX, HOST_MODES } from './protocol.ts';

export const PRELUDE_FILENAME = 'llmperf-prelude.js';

export const PRELUDE = String.raw`(function () {
'use strict';
const g = globalThis;
const PREFIX = ${JSON.stringify(HOST_GLOBAL_PREFIX)};
const MODES = ${JSON.stringify(HOST_MODES)};
g.__llmperf_vus = new Map();
g.__llmperf_make_vu = function (vuId, ENV, inline) {
let ITER = 0;
const H = {};
// inline mode: async host calls wait here until the host calls entry.settle(id, ok, value)
const waits = new Map();
let callSeq = 0;
for (const name of Object.keys(MODES)) {
  const ref = g[PREFIX + vuId + '_' + name];
  delete g[PREFIX + vuId + '_' + name];
  const mode = MODES[name];
  if (mode === 'async' && inline) {
    H[name] = (...args) => new Promise((resolve, reject) => {
      const id = ++callSeq;
      waits.set(id, [resolve, reject]);
      try { ref(id, ...args); } catch (e) { waits.delete(id); throw e; }
    });
  }
  else if (mode === 'async') H[name] = (...args) => ref.apply(undefined, args, { arguments: { copy: true }, result: { promise: true, copy: true } });
  else if (mode === 'syncPromise') H[name] = (...args) => ref.applySyncPromise(undefined, args, { arguments: { copy: true } });
  else H[name] = ref;
}
let initPhase = true;
let group = '';
let iterCtx = { scenario: '', executor: '', iterInScenario: 0, iterInTest: 0, scenarioStartTime: 0, scenarioTags: {} };
let setupData = undefined;

class LlmperfFail extends Error { constructor(m) { super(m); this.name = 'LlmperfFail'; } }
class LlmperfAbort extends Error { constructor(m) { super(m); this.name = 'LlmperfAbort'; } }

function tagsArg(tags, where) {
  if (tags === undefined || tags === null) return null;
  if (typeof tags !== 'object' || Array.isArray(tags)) throw new TypeError(where + ': tags must be an object of strings');
  const out = {};
  for (const k of Object.keys(tags)) out[k] = String(tags[k]);
  return out;
}
function paramsArg(p, where) {
  if (p === null || typeof p !== 'object' || Array.isArray(p)) throw new TypeError(where + ': the first argument must be an object of request parameters');
  return p;
}
function optsArg(o) { return o === undefined || o === null ? null : o; }

const llm = {
  chat(params, opts) { return H.llm('chat', paramsArg(params, 'llm.chat'), optsArg(opts), group); },
  complete(params, opts) { return H.llm('complete', paramsArg(params, 'llm.complete'), optsArg(opts), group); },
  request(params, opts) { return H.llm('request', paramsArg(params, 'llm.request'), optsArg(opts), group); },
};

function defineMetric(type, name, isTime) {
  if (!initPhase) throw new Error('new ' + type[0].toUpperCase() + type.slice(1) + '("' + name + '") must be called in init code (at the top level of the script), not inside a function that runs per iteration');
  H.define(String(name), type, !!isTime);
}
class Metric {
  constructor(type, name, isTime) { defineMetric(type, name, isTime); this.name = String(name); this.type = type; }
  add(value, tags) {
    let v = value;
    if (typeof v === 'boolean') v = v ? 1 : 0;
    v = Number(v);
    if (!Number.isFinite(v)) throw new TypeError(this.name + '.add(' + String(value) + '): the value must be a finite number');
    H.metric(this.name, v, tagsArg(tags, this.name + '.add'), group);
    return true;
  }
}
class Counter extends Metric { constructor(name) { super('counter', name, false); } }
class Gauge extends Metric { constructor(name) { super('gauge', name, false); } }
class Rate extends Metric { constructor(name) { super('rate', name, false); } }
class Trend extends Metric { constructor(name, isTime) { super('trend', name, isTime); } }

function check(value, checks, tags) {
  if (checks === null || typeof checks !== 'object') throw new TypeError('check(value, { name: fn }): the second argument must be an object of checks');
  const t = tagsArg(tags, 'check');
  let all = true;
  for (const name of Object.keys(checks)) {
    const c = checks[name];
    let ok;
    if (typeof c === 'function') {
      try { ok = !!c(value); } catch (e) { ok = false; }
    } else ok = !!c;
    H.check(name, ok, t, group);
    if (!ok) all = false;
  }
  return all;
}

function groupFn(name, fn) {
  if (typeof fn !== 'function') throw new TypeError('group(name, fn): fn must be a function');
  const prev = group;
  group = prev + '::' + String(name);
  let r;
  try { r = fn(); } catch (e) { group = prev; throw e; }
  if (r && typeof r.then === 'function') return r.finally(() => { group = prev; });
  group = prev;
  return r;
}

function sleep(seconds) {
  const s = Number(seconds);
  if (!Number.isFinite(s) || s < 0) throw new TypeError('sleep(' + String(seconds) + '): give a number of seconds >= 0');
  return H.sleep(s * 1000);
}

function fail(msg) { throw new LlmperfFail(msg === undefined ? 'fail() called' : String(msg)); }

function open(path, mode) {
  if (!initPhase) throw new Error('open("' + path + '") can only be called in init code (at the top level of the script)');
  return H.open(String(path), mode === 'b');
}

function makeDataset(kind, args) {
  if (!initPhase) throw new Error('datasets must be loaded in init code (at the top level of the script)');
  const h = H.dataset(kind, args);
  return {
    name: h.name,
    size: h.size,
    get length() { return h.size; },
    next() { const it = H.datasetNext(h.id); return it && typeof it === 'object' && typeof it.prompt === 'string' ? it.prompt : it; },
    nextItem() { return H.datasetNext(h.id); },
    get(i) { return H.datasetGet(h.id, Number(i)); },
    prompt(i) { const it = H.datasetGet(h.id, Number(i)); return it && it.prompt; },
  };
}
function pathDataset(kind) {
  return (path, opts) => makeDataset(kind, Object.assign({}, opts || {}, { path: String(path) }));
}
const data = {
  openqa: pathDataset('openqa'),
  longalpaca: pathDataset('longalpaca'),
  lineByLine: pathDataset('line_by_line'),
  sharegpt: pathDataset('sharegpt'),
  jsonl: pathDataset('jsonl'),
  random: (opts) => makeDataset('random', Object.assign({}, opts || {})),
  sharedPrefix: (opts) => makeDataset('shared_prefix', Object.assign({}, opts || {})),
  dataset: (kind, opts) => makeDataset(String(kind), Object.assign({}, opts || {})),
  SharedArray: function (name, fn) {
    if (!initPhase) throw new Error('SharedArray must be created in init code');
    const arr = fn();
    if (!Array.isArray(arr)) throw new TypeError('SharedArray: the function must return an array');
    return Object.freeze(arr.slice());
  },
};

const execution = {
  vu: {
    get idInTest() { return vuId; },
    get idInInstance() { return vuId; },
    get iterationInInstance() { return ITER; },
    get iterationInScenario() { return iterCtx.iterInScenario; },
    get tags() { return Object.assign({}, iterCtx.scenarioTags); },
  },
  scenario: {
    get name() { return iterCtx.scenario; },
    get executor() { return iterCtx.executor; },
    get startTime() { return iterCtx.scenarioStartTime; },
    get iterationInTest() { return iterCtx.iterInTest; },
    get progress() { return H.execInfo('progress').progress; },
    get replay() { return iterCtx.replay; },
  },
  instance: {
    get vusActive() { return H.execInfo('instance').vusActive; },
    get vusInitialized() { return H.execInfo('instance').vusInitialized; },
    get iterationsCompleted() { return H.execInfo('instance').iterationsCompleted; },
    get iterationsInterrupted() { return H.execInfo('instance').iterationsInterrupted; },
    get currentTestRunDuration() { return H.execInfo('instance').currentTestRunDuration; },
  },
  test: {
    abort(msg) { const m = msg === undefined ? 'test.abort() called' : String(msg); H.abort(m); throw new LlmperfAbort(m); },
  },
};

function fmtArg(a) {
  if (typeof a === 'string') return a;
  if (a instanceof Error) return a.stack || String(a);
  try { return JSON.stringify(a); } catch (e) { return String(a); }
}
const logger = (level) => (...args) => H.log(level, args.map(fmtArg).join(' '));
const vuConsole = { log: logger('log'), info: logger('info'), warn: logger('warn'), error: logger('error'), debug: logger('debug') };

let timerSeq = 0;
const timers = new Set();
const vuSetTimeout = (fn, ms, ...args) => { const id = ++timerSeq; timers.add(id); H.sleep(Number(ms) || 0).then(() => { if (timers.delete(id)) fn(...args); }); return id; };
const vuClearTimeout = (id) => { timers.delete(id); };

const api = { llm, metrics: { Counter, Gauge, Rate, Trend }, check, group: groupFn, sleep, fail, open, data, execution };
// the context's own globals point at its first VU (one VU per context: they are that VU's)
if (!g.__llmperf) { g.__llmperf = api; g.open = open; g.console = vuConsole; g.setTimeout = vuSetTimeout; g.clearTimeout = vuClearTimeout; g.__VU = vuId; g.__ENV = ENV; g.__ITER = 0; }
const firstVu = g.__llmperf === api;
const iterSetter = {};
const mod = g.__llmperf_bundle(api, vuId, ENV, iterSetter, open, vuConsole, vuSetTimeout, vuClearTimeout) || {};

function describeError(e, kind) {
  if (e instanceof Error) return { message: e.message, stack: String(e.stack || e.message), name: e.name, kind };
  return { message: String(e), stack: String(e), name: 'Error', kind };
}

// ---- entry points called by the host ----
const entry = {};
entry.init_exports = function () {
  const m = mod;
  const fns = Object.keys(m).filter((k) => typeof m[k] === 'function');
  let options = null;
  if (m.options !== undefined) {
    try { options = JSON.stringify(m.options); } catch (e) { throw new Error('export const options must be JSON-serialisable: ' + e.message); }
  }
  return { functions: fns, options: options };
};
entry.end_init = function () { initPhase = false; };
entry.set_data = function (json) { setupData = json === undefined ? undefined : JSON.parse(json); };
entry.iterate = async function (info) {
  ITER = info.iter;
  if (iterSetter.set) iterSetter.set(info.iter);
  if (firstVu) g.__ITER = info.iter;
  iterCtx = info;
  group = '';
  const fn = mod[info.exec];
  if (typeof fn !== 'function') return { ok: false, error: { message: 'the script has no exported function "' + info.exec + '"', stack: '', name: 'Error', kind: 'exception' } };
  try {
    await fn(setupData);
    return { ok: true };
  } catch (e) {
    const kind = e instanceof LlmperfAbort ? 'abort' : e instanceof LlmperfFail ? 'fail' : 'exception';
    return { ok: false, error: describeError(e, kind) };
  }
};
entry.call = async function (name, json) {
  const fn = mod[name];
  if (typeof fn !== 'function') return { ok: true, absent: true };
  try {
    const r = await fn(json === undefined ? undefined : JSON.parse(json));
    let out;
    if (r !== undefined) {
      try { out = JSON.stringify(r); } catch (e) { throw new Error(name + '() must return JSON-serialisable data: ' + e.message); }
    }
    return { ok: true, result: out };
  } catch (e) {
    const kind = e instanceof LlmperfAbort ? 'abort' : e instanceof LlmperfFail ? 'fail' : 'exception';
    return { ok: false, error: describeError(e, kind) };
  }
};
// inline mode: the host starts iterations and lifecycle calls with start(), learns their outcome
// through H.done, and hands back the results of async host calls with settle()
entry.start = function (token, kind, a, b) {
  const p = kind === 'iterate' ? entry.iterate(a) : entry.call(a, b);
  p.then((o) => H.done(token, o));
};
entry.settle = function (id, ok, value) {
  const w = waits.get(id);
  if (w === undefined) return;
  waits.delete(id);
  if (ok) w[0](value); else w[1](new Error(value));
};
g.__llmperf_vus.set(vuId, entry);
};
})();
`;
