/**
 * The launcher on a one-CPU cpuset re-executes node with more flags (bin/llmperf.js). Regressions:
 * it ignored SIGINT, and SIGKILL left the re-executed child running as an orphan. Now a signal to
 * the launcher reaches the child once (first: graceful stop with the summary, exit 105), and the
 * child stops on its own when the launcher dies.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { BIN, tempFiles } from '../helpers.ts';
import { skipUnlessCi } from '../ci.ts';

const canPin = process.platform === 'linux' && spawnSync('taskset', ['-c', '0', 'true']).status === 0;

const SCRIPT = `import llm from 'llmperf/llm';
export const options = { vus: 2, duration: '60s' };
export default async function () { await llm.chat({ messages: [{ role: 'user', content: 'x' }], max_tokens: 4 }); }
`;

function childrenOf(ppid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === ppid) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // a zombie is dead for our purpose
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function until(pred: () => boolean, ms: number): Promise<boolean> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (pred()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return pred();
}

function start(dir: string) {
  const p = spawn('taskset', ['-c', '0', process.execPath, '--no-node-snapshot', BIN, 'run', 's.ts', '--no-save', '-q'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => p.on('exit', (code, signal) => setImmediate(() => resolve({ code, signal }))));
  return { p, exit, out: () => ({ stdout, stderr }) };
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  test(`one CPU: ${sig} to the launcher stops the run gracefully (summary, exit 105)`, { skip: skipUnlessCi(!canPin && 'needs taskset (util-linux) on Linux'), timeout: 90_000 }, async () => {
    const run = start(tempFiles({ 's.ts': SCRIPT }));
    try {
      // taskset execs node: the launcher's pid is the spawned one; wait for its re-executed child
      assert.ok(await until(() => childrenOf(run.p.pid!).length > 0, 20_000), 'the launcher re-executed node');
      await until(() => /benchmarking the built-in mock/.test(run.out().stderr), 20_000);
      await new Promise((r) => setTimeout(r, 1500));
      const t0 = Date.now();
      run.p.kill(sig);
      const { code } = await run.exit;
      assert.equal(code, 105, run.out().stderr);
      assert.ok(Date.now() - t0 < 40_000);
      assert.match(run.out().stderr, new RegExp(`${sig} received: stopping new iterations`));
      assert.doesNotMatch(run.out().stderr, /received again/, 'the signal arrived once');
      assert.match(run.out().stdout, /Requests\s+\d+ total/);
    } finally {
      run.p.kill('SIGKILL');
    }
  });
}

test('one CPU: the re-executed child never outlives a launcher killed with SIGKILL', { skip: skipUnlessCi(!canPin && 'needs taskset (util-linux) on Linux'), timeout: 90_000 }, async () => {
  const run = start(tempFiles({ 's.ts': SCRIPT }));
  let child = 0;
  try {
    assert.ok(await until(() => (child = childrenOf(run.p.pid!)[0] ?? 0) > 0, 20_000), 'the launcher re-executed node');
    await until(() => /benchmarking the built-in mock/.test(run.out().stderr), 20_000);
    run.p.kill('SIGKILL');
    await run.exit;
    assert.ok(await until(() => !alive(child), 20_000), `child ${child} still running 20 s after its launcher was killed`);
    assert.match(run.out().stderr, /the launcher process is gone: stopping now/);
  } finally {
    if (child && alive(child)) process.kill(child, 'SIGKILL');
  }
});
