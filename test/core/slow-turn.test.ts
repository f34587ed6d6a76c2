// Inline VU turns are reported slow for the time they held the main thread, not for the time the
// OS gave the CPU to other processes (issue #18: a spurious "VU code ran 42 ms without yielding" on
// llmperf's own generated perf.ts, whose turns take a fraction of a millisecond). The run and two
// CPU hogs share one core (taskset), the hogs at a higher priority: llmperf's main thread waits on
// the run queue, in the middle of turns too. A VU that really loops is still reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { runCli, tempFiles } from '../helpers.ts';
import { RunQueueClock } from '../../runtime/vu/thread-clock.ts';

const linux = existsSync('/proc/thread-self/schedstat');
const taskset = linux && spawnSync('taskset', ['-c', '0', 'true']).status === 0;

test('the run-queue clock reads the thread\'s wait, and grows while another thread holds the only CPU', { skip: !linux && 'no /proc/thread-self/schedstat' }, () => {
  const c = new RunQueueClock();
  const a = c.waitedMs();
  assert.ok(a >= 0 && Number.isFinite(a));
  assert.ok(c.waitedMs() >= a);
  c.close();
  assert.equal(c.waitedMs(), 0, 'closed: unknown');
});

test('a busy machine does not make llmperf\'s generated perf.ts "run without yielding"; a VU that loops still does', { skip: !taskset && 'taskset is not available' }, async () => {
  const hogs: ChildProcess[] = [];
  try {
    const dir = tempFiles({
      'loop.ts': `import llm from 'llmperf/llm';
export const options = { scenarios: { s: { executor: 'shared-iterations', vus: 2, iterations: 6 } } };
export default async function () {
  if (__ITER === 1 && __VU === 1) { const t = Date.now(); while (Date.now() - t < 300) {} }
  await llm.chat({ messages: [{ role: 'user', content: 'hi' }], max_tokens: 4 });
}
`,
    });
    // a VU that loops for 300 ms of wall time (tens of ms of CPU even on a busy machine) is reported, hogs or not
    const loop = await runCli(['run', path.join(dir, 'loop.ts'), '--no-save', '-q', '--mock', 'ttft=5ms', '--mock', 'itl=2ms'], { cwd: dir });
    assert.equal(loop.code, 0, loop.stderr);
    assert.match(loop.stderr, /VU code ran \d+ ms without yielding on the main thread, where other VUs' iterations wait for it/);

    // perf's script on one core shared with two hogs of higher priority: its turns wait for the CPU, they do not hold it
    const child = spawn('taskset', ['-c', '0', process.execPath, '--no-node-snapshot', path.join(import.meta.dirname, '..', '..', 'bin', 'llmperf.js'), 'perf', '--prompt', 'hi', '-n', '80', '--parallel', '8', '--model', 'm', '--outputs-dir', path.join(dir, 'o')], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stdout!.resume();
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    // the hogs start once the run does (the connection test is over), so llmperf starts at full speed
    await new Promise<void>((resolve) => {
      const i = setInterval(() => {
        if (/connection test|benchmarking|processed/i.test(stderr) || child.exitCode !== null) {
          clearInterval(i);
          resolve();
        }
      }, 20);
    });
    for (let i = 0; i < 2; i++) {
      const h = spawn('taskset', ['-c', '0', 'nice', '-n', '-5', process.execPath, '-e', 'for (;;);'], { stdio: 'ignore' });
      hogs.push(h);
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    const code = await exited;
    clearTimeout(timer);
    assert.equal(code, 0, stderr);
    assert.doesNotMatch(stderr, /without yielding|held the main thread/, 'no VU turn held the main thread: they waited for the CPU');
  } finally {
    for (const h of hogs) h.kill('SIGKILL');
  }
});
