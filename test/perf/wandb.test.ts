/**
 * W&B logging (--visualizer wandb, --wandb-api-key, llmperf run --out wandb) against a stand-in
 * server on 127.0.0.1 (wandb-standin.ts). The stand-in is first checked against the official SDK:
 * @wandb/sdk 0.5.1 runs against it live, and its recorded traffic (test/fixtures/wandb/) replays into it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import { startMockServer, type MockServer } from '../../runtime/mock/index.ts';
import { WandbRun } from '../../runtime/outputs/wandb-client.ts';
import { createServer } from 'node:net';
import { ROOT, runCli, tempFiles } from '../helpers.ts';
import { startWandbStandin, type WandbStandin } from './wandb-standin.ts';

const KEY = 'k'.repeat(40);
const FIXTURE = path.join(ROOT, 'test/fixtures/wandb');

function runNode(file: string, env: Record<string, string>, timeoutMs = 30_000): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out: ${out}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(t);
      resolve({ code, out });
    });
  });
}

describe('the W&B stand-in speaks what the official SDK sends', () => {
  test('@wandb/sdk 0.5.1, live: run, config, history, summary and completion arrive', async () => {
    const w = await startWandbStandin({ apiKey: KEY });
    try {
      const r = await runNode(path.join(FIXTURE, 'sdk-client.mjs'), { WANDB_BASE_URL: w.url, WANDB_API_KEY: KEY });
      assert.equal(r.code, 0, r.out);
      assert.equal(w.runs.length, 1);
      const run = w.runs[0]!;
      assert.equal(run.project, 'sdk_check');
      assert.equal(run.entity, 'standin-user', 'the default entity came from the Viewer query');
      assert.equal(run.displayName, 'sdk-run');
      assert.deepEqual(run.config, { model: 'qwen', parallel: 2 });
      assert.deepEqual(run.history.map((h) => h['Total Requests']), [1, 2, 3, 4, 5, 6]);
      assert.deepEqual(run.history.map((h) => h._step), [0, 1, 2, 3, 4, 5]);
      assert.equal(run.summary['Total Requests'], 6);
      assert.equal(run.complete, true);
      assert.equal(run.exitcode, 0);
    } finally {
      await w.close();
    }
  });

  test('the recorded SDK traffic replays into the stand-in with the same result', async () => {
    const w = await startWandbStandin({ apiKey: KEY });
    try {
      const rec = JSON.parse(readFileSync(path.join(FIXTURE, 'sdk-0.5.1-traffic.json'), 'utf8')) as { requests: Array<{ url: string; body: unknown }> };
      const auth = `Basic ${Buffer.from(`api:${KEY}`).toString('base64')}`;
      for (const q of rec.requests) {
        const res = await request(w.url + q.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: auth }, body: JSON.stringify(q.body) });
        assert.equal(res.statusCode, 200, q.url);
        await res.body.dump();
      }
      const run = w.runs[0]!;
      assert.equal(run.displayName, 'qwen_20261201_101010');
      assert.equal(run.history.length, 6);
      assert.equal(run.complete, true);
    } finally {
      await w.close();
    }
  });

  test("llmperf's client sends the SDK's requests: same paths, Basic api:<key>, GraphQL operations, file_stream bodies", async () => {
    const w = await startWandbStandin({ apiKey: KEY });
    try {
      const logs: string[] = [];
      const run = new WandbRun({ baseUrl: w.url, apiKey: KEY, project: 'p', name: 'n', config: { a: 1 }, log: (l) => logs.push(l), flushEveryMs: 0 });
      assert.equal(await run.start(), true, logs.join('\n'));
      run.history({ x: 1 });
      run.history({ x: 2 });
      await run.flush();
      run.history({ x: 3 });
      run.setSummary({ final: true });
      await run.finish();
      const paths = w.requests.map((r) => r.path);
      assert.deepEqual(paths, ['/graphql', '/graphql', `/files/standin-user/p/${run.id}/file_stream`, `/files/standin-user/p/${run.id}/file_stream`, `/files/standin-user/p/${run.id}/file_stream`]);
      const rec = JSON.parse(readFileSync(path.join(FIXTURE, 'sdk-0.5.1-traffic.json'), 'utf8')) as { requests: Array<{ body: { operationName?: string; variables?: Record<string, unknown>; files?: Record<string, unknown>; complete?: boolean } }> };
      const sdkUpsert = rec.requests[1]!.body.variables!;
      const ours = w.requests[1]!.body as { variables: Record<string, unknown> };
      for (const k of Object.keys(sdkUpsert)) assert.ok(k in ours.variables, `UpsertBucket variable ${k}`);
      assert.deepEqual(Object.keys((w.requests[2]!.body as { files: object }).files).sort(), Object.keys(rec.requests[2]!.body.files!).sort());
      assert.deepEqual(w.requests[4]!.body, rec.requests[rec.requests.length - 1]!.body, '{ complete: true, exitcode: 0 }');
      assert.ok(w.requests.every((r) => r.headers.authorization === `Basic ${Buffer.from(`api:${KEY}`).toString('base64')}`));
      const r = w.runs[0]!;
      assert.deepEqual(r.history.map((h) => h.x), [1, 2, 3]);
      assert.equal(r.summary.final, true);
      assert.equal(r.complete, true);
    } finally {
      await w.close();
    }
  });
});

describe('llmperf perf --visualizer wandb', () => {
  let mock: MockServer;
  let tmp: string;
  before(async () => {
    mock = await startMockServer({ ttftMs: 2, itlMs: 1, outputTokens: 6 });
    tmp = mkdtempSync(path.join(tmpdir(), 'llmperf-wandb-'));
  });
  after(async () => {
    await mock.close();
    rmSync(tmp, { recursive: true, force: true });
  });
  const perfArgs = (out: string, extra: string[] = []) => [
    'perf', '--url', `${mock.url}/chat/completions`, '--model', 'qwen-test', '--prompt', 'hello', '-n', '12', '--parallel', '2',
    '--log-every-n-query', '5', '--api-key', 'sk-llm-secret', '--headers', 'X-Secret-Token=hdr-secret', '--outputs-dir', out, ...extra,
  ];

  test('--wandb-api-key: the run, its config without secrets, running history and the final summary arrive; the run is complete', async () => {
    const w = await startWandbStandin({ apiKey: KEY });
    try {
      const r = await runCli(perfArgs(path.join(tmp, 'a'), ['--wandb-api-key', KEY, '--name', 'my-run']), { cwd: tmp, env: { WANDB_BASE_URL: w.url } });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(w.runs.length, 1);
      const run = w.runs[0]!;
      assert.equal(run.project, 'perf_benchmark', "evalscope's project");
      assert.equal(run.displayName, 'my-run');
      assert.equal(run.config.model, 'qwen-test');
      assert.equal(run.config.api_key, '**********');
      assert.equal(run.config.wandb_api_key, '**********');
      assert.deepEqual(run.config.headers, { 'X-Secret-Token': '**********', Authorization: '**********' });
      const sent = JSON.stringify(w.requests.map((q) => q.body));
      for (const secret of ['sk-llm-secret', 'hdr-secret', KEY]) assert.ok(!sent.includes(secret), `${secret} not sent`);
      // history: evalscope's running message every 5 requests, and at the end
      assert.deepEqual(run.history.map((h) => h['Total Requests']), [5, 10, 12]);
      assert.ok(run.history.every((h) => typeof h['Avg Latency (s)'] === 'number' && typeof h['Avg TTFT (ms)'] === 'number'));
      const files = JSON.parse(readFileSync(path.join(tmp, 'a', readdirOne(path.join(tmp, 'a')), 'my-run', 'parallel_2_number_12', 'benchmark_summary.json'), 'utf8')) as Record<string, number>;
      assert.equal(run.summary['Total Requests'], 12);
      assert.equal(run.summary['Avg TTFT (ms)'], files['Avg TTFT (ms)'], 'the summary is benchmark_summary.json');
      const pct = run.summary.percentiles as Record<string, Record<string, number>>;
      assert.equal(typeof pct['TTFT (ms)']!['99%'], 'number');
      assert.ok('parallel_2_number_12' in (run.summary.runs as object));
      assert.equal(run.complete, true);
      assert.equal(run.exitcode, 0);
      assert.doesNotMatch(r.stderr + r.stdout, new RegExp(KEY));
      assert.match(r.stderr, /--wandb-api-key without --visualizer: logging to wandb as evalscope does/);
    } finally {
      await w.close();
    }
  });

  test('WANDB_PROJECT / WANDB_ENTITY / WANDB_API_KEY with --visualizer wandb; run name <model>_<time>', async () => {
    const w = await startWandbStandin({ apiKey: KEY });
    try {
      const r = await runCli(perfArgs(path.join(tmp, 'b'), ['--visualizer', 'wandb']), { cwd: tmp, env: { WANDB_BASE_URL: w.url, WANDB_API_KEY: KEY, WANDB_PROJECT: 'proj-x', WANDB_ENTITY: 'team-y' } });
      assert.equal(r.code, 0, r.stderr);
      const run = w.runs[0]!;
      assert.equal(run.project, 'proj-x');
      assert.equal(run.entity, 'team-y');
      assert.match(run.displayName ?? '', /^qwen-test_\d{8}_\d{6}$/);
      assert.ok(!w.requests.some((q) => /Viewer/.test(JSON.stringify(q.body))), 'no Viewer query when the entity is given');
      assert.equal(run.complete, true);
    } finally {
      await w.close();
    }
  });

  test('a W&B server that is down costs one warning, never the benchmark or its files', async () => {
    const closed = await freePort();
    const out = path.join(tmp, 'down');
    const r = await runCli(perfArgs(out, ['--visualizer', 'wandb', '--wandb-api-key', KEY]), { cwd: tmp, env: { WANDB_BASE_URL: `http://127.0.0.1:${closed}` } });
    assert.equal(r.code, 0, r.stderr);
    const warns = r.stderr.split('\n').filter((l) => l.startsWith('WARN wandb:'));
    assert.equal(warns.length, 1, r.stderr);
    assert.match(warns[0]!, /creating the run failed .*ECONNREFUSED|creating the run failed/);
    assert.match(r.stdout, /Benchmarking summary:/);
    const root = path.join(out, readdirOne(out), 'qwen-test');
    assert.ok(existsSync(path.join(root, 'parallel_2_number_12', 'benchmark_summary.json')));
    assert.ok(existsSync(path.join(root, 'performance_summary.txt')));
  });

  test('a W&B server that goes down during the run: one warning, the run ends normally', async () => {
    const w = await startWandbStandin({ apiKey: KEY });
    const slow = await startMockServer({ ttftMs: 150, itlMs: 20, outputTokens: 6 });
    try {
      const out = path.join(tmp, 'mid');
      const p = runCli(['perf', '--url', `${slow.url}/chat/completions`, '--model', 'm', '--prompt', 'hi', '-n', '30', '--parallel', '1', '--log-every-n-query', '2', '--visualizer', 'wandb', '--outputs-dir', out], { cwd: tmp, env: { WANDB_BASE_URL: w.url, WANDB_API_KEY: KEY } });
      // wait for the run to exist, then take the server away
      for (let i = 0; i < 200 && w.runs.length === 0; i++) await new Promise((res) => setTimeout(res, 50));
      await w.close();
      const r = await p;
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.stderr.split('\n').filter((l) => l.startsWith('WARN wandb:')).length <= 1, r.stderr);
      assert.match(r.stdout, /\| Total Requests +\| +30 \|/);
    } finally {
      await slow.close();
    }
  });

  test('a rejected key costs one warning that says so', async () => {
    const w = await startWandbStandin({ apiKey: KEY });
    try {
      const r = await runCli(perfArgs(path.join(tmp, 'bad'), ['--visualizer', 'wandb', '--wandb-api-key', 'x'.repeat(40)]), { cwd: tmp, env: { WANDB_BASE_URL: w.url } });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /^WARN wandb: creating the run failed \(the server rejected the API key \(HTTP 401\)/m);
      assert.equal(w.runs.length, 0);
    } finally {
      await w.close();
    }
  });

  test('--visualizer wandb without any key: exit 104 before anything runs', async () => {
    const r = await runCli(perfArgs(path.join(tmp, 'nokey'), ['--visualizer', 'wandb']), { cwd: tmp, env: { WANDB_API_KEY: '', WANDB_BASE_URL: 'http://127.0.0.1:9' } });
    assert.equal(r.code, 104, r.stderr);
    assert.match(r.stderr, /no W&B API key: set WANDB_API_KEY/);
  });
});

describe('llmperf run --out wandb', () => {
  test('the same logging for a script: config, history, final summary with percentiles, complete', async () => {
    const w = await startWandbStandin({ apiKey: KEY });
    const mock = await startMockServer({ ttftMs: 2, itlMs: 1, outputTokens: 5 });
    try {
      const dir = tempFiles({
        'chat.ts': `import llm from 'llmperf/llm';
export const options = { scenarios: { s: { executor: 'shared-iterations', vus: 2, iterations: 14 } } };
export default async function () { await llm.chat({ messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 }); }
`,
      });
      const r = await runCli(['run', 'chat.ts', '--url', mock.url, '--model', 'm', '--api-key', 'sk-run-secret', '--out', 'wandb=my-team/my-proj?every=4', '--no-save'], {
        cwd: dir,
        env: { WANDB_BASE_URL: w.url, WANDB_API_KEY: KEY },
      });
      assert.equal(r.code, 0, r.stderr);
      const run = w.runs[0]!;
      assert.equal(run.entity, 'my-team');
      assert.equal(run.project, 'my-proj');
      assert.match(run.displayName ?? '', /^chat_\d{8}_\d{6}$/);
      assert.equal(run.config.script, 'chat');
      assert.ok(!JSON.stringify(w.requests.map((q) => q.body)).includes('sk-run-secret'));
      assert.deepEqual(run.history.map((h) => h['Total Requests']), [4, 8, 12, 14]);
      assert.equal(run.summary['Success Requests'], 14);
      assert.equal(typeof (run.summary.percentiles as Record<string, Record<string, number>>)['Latency (s)']!['50%'], 'number');
      assert.equal(run.complete, true);
    } finally {
      await w.close();
      await mock.close();
    }
  });
});

/** A port nothing listens on (a W&B server that is down). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function readdirOne(dir: string): string {
  const all = readdirSync(dir);
  assert.equal(all.length, 1, all.join(','));
  return all[0]!;
}
