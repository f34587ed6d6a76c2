// The pods' shell, run for real with /bin/sh and a stand-in `llmperf` on PATH that records its
// arguments: segments per index, the start barrier, exit codes, the merge step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildManifests } from '../../runtime/k8s/manifests.ts';
import type { ScriptFiles } from '../../runtime/k8s/files.ts';
import { segmentSequence } from '../../runtime/k8s/shell.ts';
import { collectScriptFiles } from '../../runtime/k8s/files.ts';
import { BIN, ROOT } from '../helpers.ts';

const FILES: ScriptFiles = { root: '/x', entry: 'chat.ts', files: [{ rel: 'chat.ts', abs: '/x/chat.ts', content: Buffer.from('export default function () {}\n'), reason: 'script' }] };

interface Pod {
  command: string[];
  args?: string[];
  env: Array<{ name: string; value: string }>;
}

function setup(n: number, startTimeoutS = 30, real?: { files: ScriptFiles; runArgs: string[] }) {
  const dir = mkdtempSync(path.join(tmpdir(), 'llmperf-k8s-sh-'));
  const results = path.join(dir, 'results');
  const bin = path.join(dir, 'bin');
  mkdirSync(bin);
  mkdirSync(results);
  if (real) {
    // the built CLI, as the image's /usr/local/bin/llmperf
    writeFileSync(path.join(bin, 'llmperf'), `#!/bin/sh\nexec "${process.execPath}" --no-node-snapshot "${BIN}" "$@"\n`);
  } else {
    // stand-in llmperf: records "<subcommand> args..." per pod (or "merge"), exits with $FAKE_RC
    writeFileSync(path.join(bin, 'llmperf'), '#!/bin/sh\nprintf "%s\\n" "$@" > "$FAKE_DIR/$1-${JOB_COMPLETION_INDEX:-m}"\necho "$LLMPERF_INSTANCE $LLMPERF_RUN_ID" > "$FAKE_DIR/env-${JOB_COMPLETION_INDEX:-m}"\nexit "${FAKE_RC:-0}"\n');
  }
  chmodSync(path.join(bin, 'llmperf'), 0o755);
  const objs = buildManifests({ files: real?.files ?? FILES, parallelism: n, image: 'img', name: 'job1', run: 'run1', pvc: 'p', resultsDir: results, env: real ? {} : { A: '1' }, runArgs: real?.runArgs ?? ['--vus', '2'], startTimeoutS, mergeTimeoutS: 60 });
  const pod = (name: string) => (objs.find((o) => o.metadata.name === name)!.spec as { template: { spec: { containers: Pod[] } } }).template.spec.containers[0]!;
  return { dir, results, bin, worker: pod('job1'), merge: pod('job1-merge'), runDir: path.join(results, 'run1') };
}

function runPod(s: ReturnType<typeof setup>, pod: Pod, env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const [sh, ...rest] = pod.command;
    const podEnv = Object.fromEntries(pod.env.map((e) => [e.name, e.value]));
    const child = spawn(sh!, [...rest, ...(pod.args ?? [])], { env: { PATH: `${s.bin}:/usr/bin:/bin`, FAKE_DIR: s.dir, ...podEnv, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`pod timed out: ${stderr}`));
    }, 60_000);
    child.on('exit', (code) => {
      clearTimeout(t);
      resolve({ code, stderr });
    });
  });
}

const lines = (f: string) => readFileSync(f, 'utf8').trim().split('\n');

test('segment sequences', () => {
  assert.equal(segmentSequence(1), '0,1');
  assert.equal(segmentSequence(2), '0,1/2,1');
  assert.equal(segmentSequence(4), '0,1/4,2/4,3/4,1');
});

test('workers wait for each other, run their segment, record exit codes (99 is left to the merge)', async () => {
  const s = setup(3);
  const first = runPod(s, s.worker, { JOB_COMPLETION_INDEX: '0' });
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(existsSync(path.join(s.dir, 'run-0')), false, 'pod 0 waits at the barrier until all 3 are up');
  const others = [runPod(s, s.worker, { JOB_COMPLETION_INDEX: '1', FAKE_RC: '99' }), runPod(s, s.worker, { JOB_COMPLETION_INDEX: '2' })];
  const res = await Promise.all([first, ...others]);
  assert.deepEqual(res.map((r) => r.code), [0, 0, 0], res.map((r) => r.stderr).join('\n'));
  assert.match(res[1]!.stderr, /thresholds failed on segment 1; the merged result decides/);
  const seq = '0,1/3,2/3,1';
  for (const [i, seg] of [[0, '0:1/3'], [1, '1/3:2/3'], [2, '2/3:1']] as const) {
    assert.deepEqual(lines(path.join(s.dir, `run-${i}`)), ['run', '/scripts/chat.ts', '-e', 'A=1', '--vus', '2', '--execution-segment', seg, '--execution-segment-sequence', seq, '--out-dir', path.join(s.runDir, String(i))]);
    assert.equal(readFileSync(path.join(s.dir, `env-${i}`), 'utf8').trim(), `job1-${i} run1`);
    assert.equal(readFileSync(path.join(s.runDir, '.status', String(i)), 'utf8').trim(), i === 1 ? '99' : '0');
  }

  // merge: all codes in, runs `llmperf merge` over the pods' directories; its exit code is the Job's
  for (const i of [0, 1, 2]) mkdirSync(path.join(s.runDir, String(i)));
  const m = await runPod(s, s.merge, { FAKE_RC: '99' });
  assert.equal(m.code, 99);
  assert.deepEqual(lines(path.join(s.dir, 'merge-m')), ['merge', ...[0, 1, 2].map((i) => path.join(s.runDir, String(i))), '--out', path.join(s.runDir, 'merged')]);
});

test('a worker failing for another reason fails its pod, and the merge refuses an incomplete run', async () => {
  const s = setup(2, 1);
  const r0 = await runPod(s, s.worker, { JOB_COMPLETION_INDEX: '0', FAKE_RC: '104' });
  assert.equal(r0.code, 104);
  assert.match(r0.stderr, /only 1 of 2 pods up after 1s; starting segment 0 anyway/);
  const r1 = await runPod(s, s.worker, { JOB_COMPLETION_INDEX: '1' });
  assert.equal(r1.code, 0);
  const m = await runPod(s, s.merge, {});
  assert.equal(m.code, 1);
  assert.match(m.stderr, /pod 0 exited with code 104: not merging an incomplete run/);
  assert.equal(existsSync(path.join(s.dir, 'merge-m')), false);
});

test('a pod outside an Indexed Job says so', async () => {
  const s = setup(2);
  const r = await runPod(s, s.worker, {});
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /JOB_COMPLETION_INDEX is not set: run this in an Indexed Job/);
});

test('with the real CLI: two pods split the example iterations, write their run directories, the merge pod merges them', async () => {
  const files = await collectScriptFiles(path.join(ROOT, 'scripts-examples/quickstart.ts'));
  const s = setup(2, 30, { files, runArgs: ['--quiet'] });
  // the pods see the ConfigMap's files under /scripts; here the args point at the checkout instead
  s.worker.args = s.worker.args!.map((a) => (a.startsWith('/scripts/') ? path.join(ROOT, 'scripts-examples', path.basename(a)) : a));
  const res = await Promise.all([0, 1].map((i) => runPod(s, s.worker, { JOB_COMPLETION_INDEX: String(i) })));
  assert.deepEqual(res.map((r) => r.code), [0, 0], res.map((r) => r.stderr).join('\n'));
  let total = 0;
  for (const i of [0, 1]) {
    const summary = JSON.parse(readFileSync(path.join(s.runDir, String(i), 'summary.json'), 'utf8')) as { metrics: Record<string, { values: { count: number } }> };
    const n = summary.metrics.llm_reqs!.values.count;
    assert.equal(n, 20, `pod ${i}: half of the 40 shared iterations`);
    total += n;
    assert.equal(readFileSync(path.join(s.runDir, '.status', String(i)), 'utf8').trim(), '0');
  }
  assert.equal(total, 40);

  // the merge pod, with the real `llmperf merge`
  const m = await runPod(s, s.merge, {});
  assert.equal(m.code, 0, m.stderr);
  const merged = JSON.parse(readFileSync(path.join(s.runDir, 'merged', 'summary.json'), 'utf8')) as { metrics: Record<string, { values: { count: number } }> };
  assert.equal(merged.metrics.llm_reqs!.values.count, 40);
});
