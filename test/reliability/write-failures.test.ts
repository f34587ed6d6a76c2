/**
 * Files that cannot be written (a full disk, a read-only folder) and handleSummary() failures never
 * lose the summary: it is printed, each file that could not be written is named with the reason,
 * no partial or temporary file is left, the exit code is 104 (107 when handleSummary threw), there is
 * no stack trace, and run.json records the exit code the process ends with.
 * Regressions for: exit 1 with a stack trace, no summary and a 0-byte .tmp left behind
 * (--out-dir on a full tmpfs, --summary-export /ro/x, perf --outputs-dir /ro).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BIN, runCli, tempFiles } from '../helpers.ts';

const SCRIPT = `import llm from 'llmperf/llm';
export const options = { vus: 1, iterations: 3 };
export default async function () { await llm.chat({ messages: [{ role: 'user', content: 'x' }], max_tokens: 2 }); }
`;
const isRoot = process.getuid?.() === 0;

/** A tmpfs of `size` mounted on a new folder (root only); undefined when mounting is not possible. */
function tmpfs(opts: string): { dir: string; close(): void } | undefined {
  if (!isRoot) return undefined;
  const dir = mkdtempSync(path.join(tmpdir(), 'llmperf-fs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  return { dir, close: () => execFileSync('umount', ['-l', dir], { stdio: 'ignore' }) };
}

/** A folder this process cannot write to: a read-only tmpfs as root, else mode 0555. */
function readOnlyDir(): { dir: string; close(): void } {
  const ro = tmpfs('ro,size=64k');
  if (ro) return ro;
  const dir = mkdtempSync(path.join(tmpdir(), 'llmperf-ro-'));
  chmodSync(dir, 0o555);
  return { dir, close: () => chmodSync(dir, 0o755) };
}

function noStack(text: string): void {
  assert.doesNotMatch(text, /^\s+at .*\(.*:\d+:\d+\)$/m, 'no stack trace');
  assert.doesNotMatch(text, /unexpected error/);
}

function listAll(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String) : [];
}

test('--summary-export into a read-only folder: summary printed, the file named with the reason, exit 104', async () => {
  const ro = readOnlyDir();
  try {
    const dir = tempFiles({ 's.ts': SCRIPT });
    const r = await runCli(['run', 's.ts', '--out-dir', 'out', '--summary-export', path.join(ro.dir, 'sub', 'x.json')], { cwd: dir });
    assert.equal(r.code, 104, r.stderr);
    assert.match(r.stdout, /Requests\s+3 total, 3 succeeded/, 'the summary is printed');
    assert.match(r.stderr, new RegExp(`ERROR cannot write ${path.join(ro.dir, 'sub', 'x.json').replace(/[/.]/g, '\\$&')}: (read-only file system|permission denied|no such file or folder)`));
    assert.match(r.stderr, /1 result file was not written/);
    noStack(r.stderr);
    assert.deepEqual(listAll(ro.dir), []);
    // the run directory is complete, and run.json says how the process ended
    const runJson = JSON.parse(readFileSync(path.join(dir, 'out', 'run.json'), 'utf8')) as { exitCode: number };
    assert.equal(runJson.exitCode, 104);
    assert.ok(existsSync(path.join(dir, 'out', 'summary.json')) && existsSync(path.join(dir, 'out', 'report.html')));
  } finally {
    ro.close();
  }
});

test('perf --outputs-dir in a read-only folder: exit 104 with one line, no stack trace', async () => {
  const ro = readOnlyDir();
  try {
    const r = await runCli(['perf', '--model', 'm', '--number', '2', '--parallel', '1', '--prompt', 'hi', '--outputs-dir', path.join(ro.dir, 'out')], { cwd: tempFiles({}) });
    assert.equal(r.code, 104, r.stderr);
    assert.match(r.stderr, /error: cannot write .*out.*: (read-only file system|permission denied|no such file or folder)/);
    noStack(r.stderr);
  } finally {
    ro.close();
  }
});

test('--out-dir on a full file system: refused at start with exit 104, nothing left behind', async (t) => {
  const full = tmpfs('size=16k');
  if (!full) {
    if (process.env.CI) assert.fail('mounting a tmpfs needs root, which CI has (.ci/run installs packages)');
    return t.skip('mounting a tmpfs needs root');
  }
  try {
    writeFileSync(path.join(full.dir, 'fill'), Buffer.alloc(16 * 1024));
  } catch {
    /* full */
  }
  try {
    const dir = tempFiles({ 's.ts': SCRIPT });
    const r = await runCli(['run', 's.ts', '--out-dir', path.join(full.dir, 'run')], { cwd: dir });
    assert.equal(r.code, 104, r.stderr);
    assert.match(r.stderr, /error: cannot write .*run\.json: no space left on the device \(ENOSPC\)/);
    noStack(r.stderr);
    assert.deepEqual(listAll(full.dir), ['fill'], 'no run folder, no temporary file');
  } finally {
    full.close();
  }
});

test('a disk that fills during the run: the summary is printed, each file not written is named, no partial file, exit 104', async (t) => {
  const full = tmpfs('size=1m');
  if (!full) {
    if (process.env.CI) assert.fail('mounting a tmpfs needs root, which CI has (.ci/run installs packages)');
    return t.skip('mounting a tmpfs needs root');
  }
  try {
    const dir = tempFiles({ 's.ts': SCRIPT.replace('vus: 1, iterations: 3', "vus: 2, duration: '4s'") });
    const out = path.join(full.dir, 'run');
    const child = spawn(process.execPath, ['--no-node-snapshot', BIN, 'run', 's.ts', '--out-dir', out, '-q', '--mock', 'ttft=5ms'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => setImmediate(() => resolve(c))));
    const t0 = Date.now();
    while (!existsSync(path.join(out, 'run.json')) && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 100));
    assert.ok(existsSync(path.join(out, 'run.json')), 'the run started');
    await new Promise((r) => setTimeout(r, 500));
    // keep the disk full until the run ends (space the store frees is taken again at once)
    let n = 0;
    const fill = () => {
      try {
        for (;;) writeFileSync(path.join(full.dir, `fill-${n++}`), Buffer.alloc(4096));
      } catch {
        /* full */
      }
    };
    fill();
    const filler = setInterval(fill, 20);
    const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 60_000))]);
    clearInterval(filler);
    if (code === 'timeout') child.kill('SIGKILL');
    assert.equal(code, 104, stderr);
    assert.match(stdout, /Requests\s+\d+ total/, 'the summary is printed');
    assert.match(stderr, /ERROR cannot write .*summary\.json: no space left on the device \(ENOSPC\)/);
    assert.match(stderr, /result files? (was|were) not written/);
    noStack(stderr);
    assert.deepEqual(listAll(out).filter((f) => /\.tmp/.test(f)), [], 'no temporary file left');
  } finally {
    full.close();
  }
});

test('handleSummary() that throws: the default summary is printed, exit 107, and run.json says 107', async () => {
  const dir = tempFiles({
    's.ts': SCRIPT + `export function handleSummary(data: unknown) { throw new Error('boom in handleSummary'); }\n`,
  });
  const r = await runCli(['run', 's.ts', '--out-dir', 'out'], { cwd: dir });
  assert.equal(r.code, 107, r.stderr);
  assert.match(r.stderr, /ERROR s\.ts:\d+:\d+: handleSummary\(\) failed: boom in handleSummary \(the default summary is printed instead\)/);
  assert.match(r.stdout, /Requests\s+3 total, 3 succeeded/);
  noStack(r.stderr);
  assert.equal((JSON.parse(readFileSync(path.join(dir, 'out', 'run.json'), 'utf8')) as { exitCode: number }).exitCode, 107);
});

for (const threads of [false, true]) {
  test(`after an isolate restart${threads ? ' (--isolate-threads)' : ''}: teardown() and handleSummary() run, counts add up, the VU at fault is named, run.json says 0`, async () => {
    const dir = tempFiles({
      's.ts': `import llm from 'llmperf/llm';
import { check } from 'llmperf';
export const options = { scenarios: { s: { executor: 'per-vu-iterations', vus: 3, iterations: 3 } } };
export default async function () {
  const r = await llm.chat({ messages: [{ role: 'user', content: 'x' }], max_tokens: 2 });
  check(r, { ok: (x) => x.ok });
  if (__VU === 2 && __ITER === 0) { const hog: number[][] = []; for (;;) hog.push(new Array(1_000_000).fill(__ITER)); }
}
export function teardown() { console.log('TEARDOWN RAN'); }
export function handleSummary(d: { llm: { requests: number }; iterations: { completed: number; interrupted: number } }) {
  return { stdout: 'HS requests=' + d.llm.requests + ' completed=' + d.iterations.completed + ' interrupted=' + d.iterations.interrupted + '\\n', 'hs/summary.json': JSON.stringify(d) };
}
`,
    });
    const r = await runCli(['run', 's.ts', '--out-dir', 'out', '--isolate-memory', '64', ...(threads ? ['--isolate-threads'] : [])], { cwd: dir, timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /a VU exceeded the isolate memory limit of 64 MB \(scenario s, VU 2\)/);
    assert.match(r.stderr, /\(3 VUs restarted in a new isolate; the run goes on\)/);
    assert.match(r.stderr, /INFO\[vu 0\] TEARDOWN RAN/);
    // every iteration started is completed or interrupted (VU 2's killed one, and those of its
    // isolate's neighbours killed with it, before or after their request)
    const m = /HS requests=(\d+) completed=(\d+) interrupted=(\d+)/.exec(r.stdout);
    assert.ok(m, r.stdout + r.stderr);
    assert.equal(Number(m[2]) + Number(m[3]), 9, r.stdout);
    assert.ok(Number(m[3]) >= 1 && Number(m[1]) >= Number(m[2]) && Number(m[1]) <= 9, r.stdout);
    assert.ok(existsSync(path.join(dir, 'hs', 'summary.json')));
    assert.doesNotMatch(r.stderr, /the isolate was disposed|handleSummary\(\) failed/);
    assert.equal((JSON.parse(readFileSync(path.join(dir, 'out', 'run.json'), 'utf8')) as { exitCode: number }).exitCode, 0);
  });
}

test('run() reports write failures in writeFailures (programmatic API)', async () => {
  const ro = readOnlyDir();
  try {
    const { run } = await import('../../runtime/api.ts');
    const dir = tempFiles({ 's.ts': SCRIPT });
    const out = await run({ script: path.join(dir, 's.ts'), log: () => {}, summaryExport: path.join(ro.dir, 'x.json') });
    assert.equal(out.exitCode, 104);
    assert.equal(out.writeFailures.length, 1);
    assert.match(out.writeFailures[0]!, /cannot write .*x\.json/);
    mkdirSync(path.join(dir, 'unused'), { recursive: true });
  } finally {
    ro.close();
  }
});
