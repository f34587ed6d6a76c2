/**
 * `llmperf perf` through the built CLI: the issue's evalscope command line unchanged against the
 * mock, a sweep, an unreachable URL, visualiser flags, a refused API.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startMockServer, type MockServer } from '../../runtime/mock/index.ts';
import { BIN, ROOT, runCli } from '../helpers.ts';
import { DATASETS } from './helpers.ts';

/** The command line of the issue, as an evalscope user types it. */
const ISSUE_COMMAND = `perf --url http://127.0.0.1:9000/v1/chat/completions
  --parallel 10 --model test --log-every-n-query 10 --read-timeout=120
  --dataset-path ./data/open_qa.jsonl -n 10 --max-prompt-length 128000
  --api openai --stream --dataset openqa --debug`;

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** Every folder under `dir` that holds a file named `name`. */
function foldersWith(dir: string, name: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else if (e.name === name) out.push(d);
    }
  };
  walk(dir);
  return out.sort();
}

describe('llmperf perf (built CLI)', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'llmperf-perf-cli-'));
  let mock: MockServer;
  let port = 9000;

  before(async () => {
    const b = spawnSync(process.execPath, ['build.mjs'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
    mkdirSync(path.join(tmp, 'data'));
    copyFileSync(path.join(DATASETS, 'open_qa.jsonl'), path.join(tmp, 'data', 'open_qa.jsonl'));
    try {
      mock = await startMockServer({ port: 9000, ttftMs: 10, itlMs: 1, outputTokens: 16 });
    } catch {
      // port 9000 is taken on this machine: the same command line on a free port
      mock = await startMockServer({ port: 0, ttftMs: 10, itlMs: 1, outputTokens: 16 });
      port = mock.port;
    }
  });
  after(async () => {
    await mock.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  test("the issue's evalscope command line runs unchanged against the mock", async (t) => {
    if (port !== 9000) t.diagnostic(`port 9000 in use: ran on ${port}`);
    const args = ISSUE_COMMAND.replace(':9000/', `:${port}/`).split(/\s+/);
    const before = mock.stats().requests;
    const r = await runCli(args, { cwd: tmp });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(mock.stats().requests - before, 11, 'exactly -n 10 requests reached the server, after the connection test\'s one');
    // evalscope's two tables, with evalscope's keys
    assert.match(r.stdout, /Benchmarking summary:\n\+-+\+-+\+\n\| Key +\| +Value \|/);
    assert.match(r.stdout, /\| Concurrency +\| +10 \|/);
    assert.match(r.stdout, /\| Total Requests +\| +10 \|/);
    assert.match(r.stdout, /\| Success Requests +\| +10 \|/);
    assert.match(r.stdout, /\| Avg Output Tokens +\| +16 \|/);
    assert.match(r.stdout, /Percentile results:\n.*\n\| Metric +\| +min \| +1% \| +5% \| +10% \| +25% \| +50% \| +75% \| +90% \| +95% \| +99% \| +max \|/);
    for (const m of ['Latency (s)', 'TTFT (ms)', 'ITL (ms)', 'TPOT (ms)', 'Input tokens', 'Output tokens', 'Output (tok/s)', 'Total (tok/s)', 'Decode (tok/s)']) assert.ok(r.stdout.includes(`| ${m} `), m);
    // --log-every-n-query 10: one progress line at the 10th request
    assert.match(r.stderr, /^10\/10 requests: 10 succeeded, 0 failed \| [\d.]+ req\/s/m);
    // --debug: every request and response, and the generated script
    assert.equal((r.stderr.match(/^DEBUG > POST http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions /gm) ?? []).length, 10);
    assert.equal((r.stderr.match(/^DEBUG < 200 ok /gm) ?? []).length, 10);
    const script = /^DEBUG generated script: (.+)$/m.exec(r.stderr)?.[1];
    assert.ok(script && existsSync(script), 'the generated script was written');
    assert.match(readFileSync(script, 'utf8'), /import llm from 'llmperf\/llm';/);
    const dir = path.dirname(script);
    const summary = JSON.parse(readFileSync(path.join(dir, 'benchmark_summary.json'), 'utf8')) as Record<string, number>;
    assert.equal(summary['Total Requests'], 10);
    assert.equal(JSON.parse(readFileSync(path.join(dir, 'benchmark_percentile.json'), 'utf8')).length, 11);
    assert.ok(existsSync(path.join(dir, 'summary.json')) && existsSync(path.join(dir, 'requests.sqlite')), 'llmperf run directory in the same folder');
    assert.ok(dir.startsWith(path.join(tmp, 'outputs')), 'evalscope default --outputs-dir ./outputs');
  });

  test('a sweep: --parallel 1 2 --number 4 8 runs twice and prints one combined table', async () => {
    const out = path.join(tmp, 'sweep');
    const before = mock.stats().requests;
    const r = await runCli(['perf', '--url', `http://127.0.0.1:${port}/v1/chat/completions`, '--model', 'm', '--parallel', '1', '2', '--number', '4', '8', '--prompt', 'hello', '--sleep-interval', '0', '--outputs-dir', out], { cwd: tmp });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(mock.stats().requests - before, 13, '4 + 8, after one connection test');
    const table = r.stdout.slice(r.stdout.indexOf('Performance Test Summary Report'));
    assert.match(table, /\| +1 \| +INF \| +4 \|/);
    assert.match(table, /\| +2 \| +INF \| +8 \|/);
    const runs = foldersWith(out, 'benchmark_summary.json');
    assert.deepEqual(runs.map((d) => path.basename(d)), ['parallel_1_number_4', 'parallel_2_number_8']);
    const all = JSON.parse(readFileSync(path.join(path.dirname(runs[0]!), 'perf_summary.json'), 'utf8')) as Array<{ summary: Record<string, number> }>;
    assert.deepEqual(all.map((x) => [x.summary['Concurrency'], x.summary['Total Requests']]), [[1, 4], [2, 8]]);
  });

  test('an unreachable URL: retried with a progress line until --total-timeout, then one clear line and exit 100', async () => {
    const closed = await freePort();
    const r = await runCli(['perf', '--url', `http://127.0.0.1:${closed}/v1/chat/completions`, '--model', 'm', '--prompt', 'hi', '-n', '2', '--total-timeout', '2', '--outputs-dir', path.join(tmp, 'x')], { cwd: tmp });
    assert.equal(r.code, 100);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trim().split('\n');
    assert.match(lines[0]!, /^connection test: http:\/\/127\.0\.0\.1:\d+ .*connection refused.*retrying in 1 s \(attempt 1/);
    assert.match(lines[lines.length - 1]!, new RegExp(`^error: cannot reach http://127\\.0\\.0\\.1:${closed} .*connection refused.*gave up after \\d+ s .*--total-timeout 2 s.*--no-test-connection`));
  });

  test('--visualizer swanlab: one warning says nothing is sent; the run goes on', async () => {
    const r = await runCli(['perf', '--url', `http://127.0.0.1:${port}/v1/chat/completions`, '--model', 'm', '--prompt', 'hi', '-n', '1', '--visualizer', 'swanlab', '--swanlab-api-key', 'secret-s', '--name', 'vis', '--outputs-dir', path.join(tmp, 'vis')], { cwd: tmp });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stderr.split('\n').filter((l) => l.includes('swanlab'));
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /^WARN --visualizer swanlab: llmperf sends nothing to swanlab/);
    assert.doesNotMatch(r.stderr + r.stdout, /secret-s/);
    assert.equal(foldersWith(path.join(tmp, 'vis'), 'benchmark_summary.json').length, 1);
  });

  test('Ctrl-C: the run stops, its tables are printed, exit 105 as llmperf run', async () => {
    const slow = await startMockServer({ ttftMs: 50, itlMs: 5, outputTokens: 10 });
    try {
      const child = spawn(process.execPath, ['--no-node-snapshot', BIN, 'perf', '--url', `${slow.url}/chat/completions`, '--model', 'm', '--prompt', 'hi', '-n', '1000', '--parallel', '2', '--log-every-n-query', '1', '--outputs-dir', path.join(tmp, 'int')], { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      const code = await new Promise<number | null>((resolve, reject) => {
        const t = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`no exit after SIGINT\n${stderr}`));
        }, 30_000);
        child.stderr.on('data', (d: Buffer) => {
          const first = !/^\d+\/1000 requests/m.test(stderr);
          stderr += d.toString();
          if (first && /^\d+\/1000 requests/m.test(stderr)) child.kill('SIGINT');
        });
        child.on('exit', (c) => {
          clearTimeout(t);
          setImmediate(() => resolve(c));
        });
      });
      assert.equal(code, 105, stderr);
      const total = Number(/\| Total Requests +\| +(\d+) \|/.exec(stdout)?.[1]);
      assert.ok(total >= 1 && total < 1000, `${total} requests before the interrupt`);
      assert.match(stderr, /stopped early: interrupted/);
    } finally {
      await slow.close();
    }
  });

  test('an API that needs a model loaded in this process is refused with what to do instead (exit 104)', async () => {
    const r = await runCli(['perf', '--model', 'm', '--prompt', 'hi', '--api', 'local_vllm'], { cwd: tmp });
    assert.equal(r.code, 104);
    assert.match(r.stderr, /^error: --api local_vllm: llmperf does not start vLLM/m);
  });
});
