// When the I/O threads share cores with the rest of the process, the other threads step back (nice +10) so
// that an I/O thread with bytes to timestamp gets the core at once (runtime/llm/io/threads.ts).
// Checked in child processes: the priority of a thread outlives the run that set it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '../..');
const linux = process.platform === 'linux';
const hasTaskset = linux && spawnSync('taskset', ['-c', '0', 'true']).status === 0;

const CHILD = `
  import { readdirSync, readFileSync } from 'node:fs';
  import { getPriority } from 'node:os';
  import { run } from ${JSON.stringify(path.join(root, 'index.ts'))};
  const before = getPriority(0);
  const out = await run({
    script: { source: "import llm from 'llmperf/llm'; export const options = { vus: 1, iterations: 2 }; export default async function () { await llm.chat({ messages: [{ role: 'user', content: 'hi' }], max_tokens: 4 }); }" },
    ioThreads: 1, testConnection: false, log: () => {},
  });
  // nice is field 19 of /proc/<pid>/task/<tid>/stat, the 17th after the command name
  const nice = (tid) => Number(readFileSync('/proc/self/task/' + tid + '/stat', 'utf8').split(') ')[1].split(' ')[16]);
  const others = readdirSync('/proc/self/task').filter((t) => t !== String(process.pid)).map(nice);
  console.log(JSON.stringify({ before, after: getPriority(0), main: nice(process.pid), minOther: Math.min(...others), atBefore: others.filter((n) => n === before).length, exitCode: out.exitCode, ok: out.summary.llm.succeeded }));
`;

async function child(env: Record<string, string>, pin: boolean): Promise<{ before: number; after: number; main: number; minOther: number; atBefore: number; exitCode: number; ok: number }> {
  const args = ['--no-node-snapshot', '--import', 'tsx', '--input-type=module', '-e', CHILD];
  const [cmd, argv] = pin ? ['taskset', ['-c', '0', process.execPath, ...args]] : [process.execPath, args];
  const { LLMPERF_MAIN_NICE: _drop, ...base } = process.env;
  const r = await promisify(execFile)(cmd, argv, { cwd: root, env: { ...base, ...env }, encoding: 'utf8', timeout: 120_000 });
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

test('one core for the whole process: every thread but the I/O thread steps back by 10', { skip: !hasTaskset && 'needs Linux and taskset' }, async () => {
  const r = await child({}, true);
  assert.equal(r.exitCode, 0);
  assert.equal(r.ok, 2);
  assert.equal(r.after, Math.min(19, r.before + 10));
  assert.equal(r.main, r.after);
  assert.equal(r.minOther, r.before, 'the I/O thread keeps its priority');
  assert.equal(r.atBefore, 1, 'every other thread (the requests.sqlite writer, V8 and libuv helpers) steps back with the main thread');
});

test('LLMPERF_MAIN_NICE sets the step (0: never)', { skip: !linux && 'Linux only' }, async () => {
  const off = await child({ LLMPERF_MAIN_NICE: '0' }, hasTaskset);
  assert.equal(off.exitCode, 0);
  assert.equal(off.after, off.before);
  const three = await child({ LLMPERF_MAIN_NICE: '3' }, false);
  assert.equal(three.exitCode, 0);
  assert.equal(three.after, Math.min(19, three.before + 3));
});
