// At a natural exit after a run, one full garbage collection runs while isolated-vm still holds the
// main isolate (runtime/vu/isolates.ts collectBeforeExit): a collection during Node's teardown that
// met a dead isolated-vm handle aborted a finished run (exit 134, "environment != nullptr").
// Checked in a child process: the run, then the collections seen from the last beforeExit listener.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '../..');

const CHILD = `
  import { GCProfiler } from 'node:v8';
  import { run } from ${JSON.stringify(path.join(root, 'index.ts'))};
  const out = await run({
    script: { source: "import { check } from 'llmperf'; export const options = { vus: 2, iterations: 4 }; export default function () { check(null, { 'no gc in the VU': () => typeof (globalThis as Record<string, unknown>).gc === 'undefined' }); }" },
    testConnection: false, log: () => {},
  });
  const checks = out.summary.root_group.checks.map((c) => [c.name, c.passes, c.fails]);
  const profiler = new GCProfiler();
  profiler.start();
  // registered after the run's own listener: runs after it
  process.once('beforeExit', () => {
    const full = profiler.stop().statistics.filter((s) => s.gcType === 'MarkSweepCompact').length;
    console.log(JSON.stringify({ exitCode: out.exitCode, checks, full, globalGc: typeof globalThis.gc }));
  });
`;

test('a natural exit after a run collects garbage once more first; VU contexts get no gc()', async () => {
  const r = await promisify(execFile)(process.execPath, ['--no-node-snapshot', '--import', 'tsx', '--input-type=module', '-e', CHILD], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  const o = JSON.parse(r.stdout.trim().split('\n').pop()!) as { exitCode: number; checks: unknown[]; full: number; globalGc: string };
  assert.equal(o.exitCode, 0);
  assert.deepEqual(o.checks, [['no gc in the VU', 4, 0]]);
  assert.ok(o.full >= 1, 'a full collection ran before the process ended');
  assert.equal(o.globalGc, 'undefined', 'the host keeps no gc() global either');
});
