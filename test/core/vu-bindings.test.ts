// The typed VU bridge (runtime/vu/bindings.ts, runtime/vu/script/): the binding table, HOST_MODES, the
// host map and the script side agree (every binding is reachable from a VU's script API and reaches
// its services method with the calling VU's state); the llmperf/* modules export what
// runtime/vu/script/modules.ts declares; the built CLI carries the prelude instead of bundling it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { bundleScript } from '../../runtime/bundle/bundle.ts';
import { HOST_BINDINGS, HOST_MODES, HOST_NAMES, SERVICE_NAMES } from '../../runtime/vu/bindings.ts';
import { IsolatePool } from '../../runtime/vu/isolates.ts';
import type { IterationInfo } from '../../runtime/vu/protocol.ts';
import { SCRIPT_MODULES } from '../../runtime/vu/script/modules.ts';
import { VU, type VuServices, type VuState } from '../../runtime/vu/vu.ts';
import type { LlmResult } from '../../runtime/llm/types.ts';
import { ROOT, tempFiles } from '../helpers.ts';

test('the binding table, HOST_MODES and the services bindings name the same host functions', () => {
  assert.deepEqual(Object.keys(HOST_MODES), Object.keys(HOST_BINDINGS));
  assert.deepEqual(HOST_NAMES, Object.keys(HOST_BINDINGS));
  assert.deepEqual([...SERVICE_NAMES, 'done'].sort(), [...HOST_NAMES].sort());
  for (const [name, mode] of Object.entries(HOST_MODES)) assert.ok(['async', 'sync', 'syncPromise', 'ignored'].includes(mode), `${name}: ${mode}`);
});

interface Call {
  name: string;
  vu: number;
  args: unknown[];
}

const RESULT: LlmResult = {
  status: 200, ok: true, text: 'fake answer', texts: ['fake answer'], reasoning: '', finishReason: 'stop', usage: null, inputTokens: 1, outputTokens: 2,
  inputTokenSource: 'usage', outputTokenSource: 'usage', reasoningTokens: null, answerTokens: null,
  ttfb: 1, ttft: 2, ttftAnswer: 2, tpot: 1, e2e: 3, itl: [1], chunks: 2, streamCheck: 'ok', error: null,
};

/** Services that record every call: one method per binding (a new binding fails to compile here until added). */
function recordingServices(calls: Call[]): VuServices {
  const rec = (name: string, vu: VuState, args: unknown[]) => void calls.push({ name, vu: vu.id, args });
  return {
    llm: async (vu, ...a) => (rec('llm', vu, a), RESULT),
    sleep: async (vu, ...a) => rec('sleep', vu, a),
    dataset: async (vu, ...a) => (rec('dataset', vu, a), { id: 7, size: 3, name: 'fake' }),
    datasetGet: (vu, ...a) => (rec('datasetGet', vu, a), { prompt: `item ${a[1]}` }),
    datasetNext: (vu, ...a) => (rec('datasetNext', vu, a), { prompt: 'next item' }),
    open: (vu, ...a) => (rec('open', vu, a), a[1] ? new Uint8Array([1, 2, 3]).buffer : `text of ${a[0]}`),
    define: (vu, ...a) => rec('define', vu, a),
    execInfo: (vu, ...a): Record<string, number> => (rec('execInfo', vu, a), a[0] === 'progress' ? { progress: 0.5 } : { vusActive: 4, vusInitialized: 5, iterationsCompleted: 6, iterationsInterrupted: 0, currentTestRunDuration: 12 }),
    metric: (vu, ...a) => rec('metric', vu, a),
    check: (vu, ...a) => rec('check', vu, a),
    log: (vu, ...a) => rec('log', vu, a),
    abort: (vu, ...a) => rec('abort', vu, a),
  };
}

/** Uses every binding through the public script API, and every llmperf/* module's exports. */
const SCRIPT = `import llm from 'llmperf/llm';
import { check, sleep, open } from 'llmperf';
import { Trend } from 'llmperf/metrics';
import { dataset } from 'llmperf/data';
import exec from 'llmperf/execution';
import * as core from 'llmperf';
import * as llmNs from 'llmperf/llm';
import * as metricsNs from 'llmperf/metrics';
import * as dataNs from 'llmperf/data';
import * as execNs from 'llmperf/execution';

const text = open('notes.txt');
const bytes = open('blob.bin', 'b');
const ds = dataset('fake', { n: 1 });
const t = new Trend('t', true);
const hostGlobals = Object.keys(globalThis).filter((k) => k.startsWith('__llmperf_host_'));
let seen: Record<string, unknown> = {};

const kinds = (ns: Record<string, unknown>) => Object.fromEntries(Object.keys(ns).map((k) => [k, typeof ns[k]]));

export default async function () {
  const r = await llm.chat({ messages: [{ role: 'user', content: 'hi' }] }, { name: 'n' });
  await sleep(0.001);
  t.add(2, { k: 'v' });
  const passed = check(r, { ok: (x) => x.ok });
  console.log('hello', { a: 1 });
  seen = {
    vu: __VU, text, bytes: [...new Uint8Array(bytes)], size: ds.size, next: ds.next(), item: ds.get(2),
    vusActive: exec.instance.vusActive, progress: exec.scenario.progress, answer: r.text, passed, hostGlobals,
    modules: { llmperf: kinds(core), 'llmperf/llm': kinds(llmNs), 'llmperf/metrics': kinds(metricsNs), 'llmperf/data': kinds(dataNs), 'llmperf/execution': kinds(execNs) },
    coreDefault: Object.keys(core.default).sort(),
  };
  exec.test.abort('stop here');
}
export function observed() { return seen; }
`;

const INFO: IterationInfo = { exec: 'default', iter: 0, scenario: 's', executor: 'shared-iterations', iterInScenario: 0, iterInTest: 0, scenarioStartTime: 0, scenarioTags: {} };

for (const mode of [{ threads: false, vusPerContext: 1 }, { threads: true, vusPerContext: 1 }, { threads: false, vusPerContext: 2 }]) {
  test(`every binding is callable from a VU and reaches its services method with that VU's state (threads: ${mode.threads}, VUs per context: ${mode.vusPerContext})`, async () => {
    const dir = tempFiles({ 'notes.txt': 'unused: the fake services answer', 'blob.bin': '', 's.ts': SCRIPT });
    const bundle = await bundleScript({ path: path.join(dir, 's.ts') });
    const pool = new IsolatePool(bundle, { memoryLimitMb: 64, vusPerIsolate: 4, vusPerContext: mode.vusPerContext, threads: mode.threads });
    const calls: Call[] = [];
    const services = recordingServices(calls);
    const vus: VU[] = [];
    try {
      for (let id = 1; id <= mode.vusPerContext; id++) {
        const vu = await VU.create(id, pool, services, { A: '1' }, 10_000);
        await vu.endInit(undefined);
        vus.push(vu);
      }
      for (const vu of vus) {
        const out = await vu.iterate({ ...INFO }, 10_000);
        assert.deepEqual(out.ok ? null : [out.error.kind, out.error.message], ['abort', 'stop here']);
        const r = await vu.call('observed', undefined, 10_000);
        assert.ok(r.ok && r.result, JSON.stringify(r));
        const seen = JSON.parse(r.result) as Record<string, unknown>;
        assert.deepEqual(
          { ...seen, modules: undefined, coreDefault: undefined },
          {
            vu: vu.id, text: 'text of notes.txt', bytes: [1, 2, 3], size: 3, next: 'next item', item: { prompt: 'item 2' },
            vusActive: 4, progress: 0.5, answer: 'fake answer', passed: true, hostGlobals: [], modules: undefined, coreDefault: undefined,
          },
        );
        // the llmperf/* modules export what modules.ts declares, each a defined value, plus a default
        const modules = seen.modules as Record<string, Record<string, string>>;
        assert.deepEqual(Object.keys(modules).sort(), Object.keys(SCRIPT_MODULES).sort());
        for (const [name, decl] of Object.entries(SCRIPT_MODULES)) {
          const expected = [...decl.names, ...Object.keys('aliases' in decl ? decl.aliases : {}), 'default'].sort();
          assert.deepEqual(Object.keys(modules[name]!).sort(), expected, name);
          for (const [k, kind] of Object.entries(modules[name]!)) assert.notEqual(kind, 'undefined', `${name}: ${k}`);
        }
        assert.deepEqual(seen.coreDefault, [...SCRIPT_MODULES.llmperf.names].sort());
      }
      // every services method was reached, always with the calling VU's state
      const ids = vus.map((v) => v.id);
      for (const id of ids) {
        const reached = new Set(calls.filter((c) => c.vu === id).map((c) => c.name));
        assert.deepEqual([...reached].sort(), [...SERVICE_NAMES].sort(), `VU ${id}`);
      }
      assert.ok(calls.every((c) => ids.includes(c.vu)));
      const first = (name: string) => calls.find((c) => c.name === name && c.vu === 1)!.args;
      assert.deepEqual(first('llm'), ['chat', { messages: [{ role: 'user', content: 'hi' }] }, { name: 'n' }, '']);
      assert.deepEqual(first('sleep'), [1]);
      assert.deepEqual(first('define'), ['t', 'trend', true]);
      assert.deepEqual(first('metric'), ['t', 2, { k: 'v' }, '']);
      assert.deepEqual(first('check'), ['ok', true, null, '']);
      assert.deepEqual(first('log'), ['log', 'hello {"a":1}']);
      assert.deepEqual(first('dataset'), ['fake', { n: 1 }]);
      assert.deepEqual(first('open'), ['notes.txt', false]);
      assert.deepEqual(first('abort'), ['stop here']);
    } finally {
      for (const vu of vus) vu.dispose();
      pool.dispose();
    }
  });
}

test('the built CLI carries the VU prelude: a copy of dist/ without the sources runs a script', async () => {
  const dist = path.join(ROOT, 'dist');
  const files = readdirSync(dist).filter((f) => f.endsWith('.js'));
  assert.ok(files.some((f) => readFileSync(path.join(dist, f), 'utf8').includes('__llmperf_make_vu')), 'the prelude is embedded in dist/');
  // Away from runtime/vu/script/, bundling the prelude at run time could not work: the run shows it is not attempted.
  const dir = mkdtempSync(path.join(tmpdir(), 'llmperf-dist-'));
  mkdirSync(path.join(dir, 'dist'));
  for (const f of files) copyFileSync(path.join(dist, f), path.join(dir, 'dist', f));
  writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}');
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  writeFileSync(
    path.join(dir, 's.ts'),
    `import llm from 'llmperf/llm';
import { check } from 'llmperf';
export const options = { vus: 2, iterations: 4 };
export default async function () {
  const r = await llm.chat({ messages: [{ role: 'user', content: 'hi' }], max_tokens: 4 });
  check(r, { ok: (x) => x.ok });
}
`,
  );
  const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--no-node-snapshot', path.join(dir, 'dist', 'cli.js'), 'run', '--no-save', 's.ts'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the run from a copy of dist/ timed out:\n${out}`));
    }, 60_000);
    child.on('exit', (c) => {
      clearTimeout(timer);
      setImmediate(() => resolve({ code: c, out }));
    });
  });
  assert.equal(code, 0, out);
  assert.match(out, /4 complete and 0 interrupted iterations/);
});
