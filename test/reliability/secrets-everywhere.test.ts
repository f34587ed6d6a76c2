/**
 * One redaction rule (runtime/secrets.ts) everywhere: distinct secrets planted through every route
 * — flags, headers (--header / perf's --headers, gateway names), script options, per-request headers,
 * __ENV (-e), a config file, environment variables, a URL password — must appear in no file and no
 * terminal output of run (with --debug, --out, --summary-export), perf, sweep, capacity, merge and
 * k8s. Regression for: perf's run.json argv, --debug printing X-Goog-Api-Key / X-Custom-Token /
 * X-Upstream-Auth, and a Cookie in options.llm.headers written to summary.json, run.json,
 * report.html, requests.sqlite and --summary-export.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startMockServer, type MockServer } from '../../runtime/mock/index.ts';
import { isSecretName, redactArgv, redactDeep, redactHeaders, redactText, redactUrl } from '../../runtime/secrets.ts';
import { runCli, tempFiles, type CliResult } from '../helpers.ts';

// every planted secret contains this marker, and each route its own suffix
const MARK = 'SEKRIT';
const LEAK = new RegExp(`${MARK}[-A-Za-z0-9]*`, 'g');

const SCRIPT = `import llm from 'llmperf/llm';
export const options = {
  vus: 1, iterations: 2,
  llm: { headers: { Cookie: 'session=${MARK}-opt-cookie', 'x-portkey-virtual-key': '${MARK}-opt-portkey', 'Set-Cookie': '${MARK}-opt-setcookie' } },
};
export default async function () {
  await llm.chat({ messages: [{ role: 'user', content: 'hello' }], max_tokens: 4 }, {
    headers: { 'X-Per-Request-Token': '${MARK}-call', 'X-Env-Token': __ENV.MY_TOKEN ?? 'none', 'X-Custom-Token': '${MARK}-call-custom' },
  });
}
`;
/** for k8s the script itself is shipped: secrets come only from the environment */
const K8S_SCRIPT = `import llm from 'llmperf/llm';
export const options = { vus: 1, iterations: 1, llm: { headers: { 'X-Env-Token': __ENV.MY_TOKEN ?? 'none' } } };
export default async function () { await llm.chat({ messages: [{ role: 'user', content: 'x' }], max_tokens: 2 }); }
`;
const CONFIG = JSON.stringify({ llm: { headers: { 'X-Config-Secret': `${MARK}-config`, 'api-key': `${MARK}-config-azure` } } });
const INPUTS = new Set(['s.ts', 'k.ts', 'cfg.json']);

/** Every file under `dir` (inputs excluded), as text (binary files read as latin1). */
function files(dir: string, out: Array<[string, string]> = [], rel = ''): Array<[string, string]> {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    const r = rel ? `${rel}/${name}` : name;
    if (statSync(p).isDirectory()) files(p, out, r);
    else if (!INPUTS.has(r)) out.push([r, readFileSync(p).toString('latin1')]);
  }
  return out;
}

function assertNoLeak(what: string, r: CliResult, dir: string, expectFiles: string[] = []): void {
  const texts: Array<[string, string]> = [['stdout', r.stdout], ['stderr', r.stderr], ...files(dir)];
  const leaks = texts.flatMap(([name, text]) => [...text.matchAll(LEAK)].map((m) => `${name}: ${m[0]}`));
  assert.deepEqual(leaks, [], `${what}: secrets leaked`);
  for (const f of expectFiles) assert.ok(texts.some(([n]) => n.endsWith(f)), `${what}: ${f} was written (${texts.map(([n]) => n).join(', ')})`);
}

function withMock(f: (mock: MockServer, url: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const mock = await startMockServer({ ttftMs: 1, itlMs: 1, outputTokens: 4 });
    try {
      await f(mock, mock.url.replace('http://', `http://user:${MARK}-urlpass@`));
    } finally {
      await mock.close();
    }
  };
}

test('the rule: secret-looking names, KEY=VALUE, JSON members, URL passwords and query keys', () => {
  for (const n of ['Authorization', 'cookie', 'Set-Cookie', 'X-Goog-Api-Key', 'X-Custom-Token', 'X-Upstream-Auth', 'api-key', 'x-portkey-config', 'x-portkey-provider', 'x-portkey-virtual-key', 'LLMPERF_API_KEY', '--wandb-api-key', 'password', 'client_secret', 'Proxy-Authorization']) {
    assert.ok(isSecretName(n), n);
  }
  for (const n of ['max_tokens', 'maxTokens', 'tokenizer', '--tokenizer-path', 'stop_token_ids', 'output-tokens', 'content-type', 'model', 'keep-alive', '--env-from-secret', 'llm_output_tokens']) {
    assert.ok(!isSecretName(n), n);
  }
  assert.deepEqual(redactHeaders({ Authorization: 'Bearer x', Accept: 'y' }), { Authorization: '[REDACTED]', Accept: 'y' });
  assert.equal(redactText('X-Api-Key: abc'), 'X-Api-Key: [REDACTED]');
  assert.equal(redactText('{"api_key":"s","temperature":1}'), '{"api_key":"[REDACTED]","temperature":1}');
  assert.equal(redactUrl('http://u:p@h:1/v1?key=abc&x=1'), 'http://u:***@h:1/v1?key=***&x=1');
  assert.deepEqual(redactDeep({ llm: { headers: { Cookie: 'c' }, apiKey: 'k', tokenizer: 't' }, auth: { user: 'u' }, max_tokens: 3 }), { llm: { headers: { Cookie: '[REDACTED]' }, apiKey: '[REDACTED]', tokenizer: 't' }, auth: { user: '[REDACTED]' }, max_tokens: 3 });
  assert.deepEqual(redactArgv(['perf', '--headers', 'Authorization=Bearer x', 'X-A=b', '--api-key', 'k', '--wandb-api-key=w', '-e', 'HF_TOKEN=t', '--max-tokens', '5']), ['perf', '--headers', 'Authorization=[REDACTED]', 'X-A=b', '--api-key', '[REDACTED]', '--wandb-api-key=[REDACTED]', '-e', 'HF_TOKEN=[REDACTED]', '--max-tokens', '5']);
});

test(
  'run: flags, headers, options, per-request headers, __ENV, config file, env var and URL password appear in no file or terminal line',
  withMock(async (mock, url) => {
    const dir = tempFiles({ 's.ts': SCRIPT, 'cfg.json': CONFIG });
    const r = await runCli(
      [
        'run', 's.ts', '--url', url, '--config', 'cfg.json', '--debug',
        '--header', `Authorization=Bearer ${MARK}-hdr-auth`, '--header', `X-Goog-Api-Key=${MARK}-hdr-goog`, '--header', `X-Upstream-Auth: ${MARK}-hdr-upstream`,
        '--header', `x-portkey-api-key=${MARK}-hdr-portkey`, '--header', `api-key=${MARK}-hdr-azure`,
        '-e', `MY_TOKEN=${MARK}-env-flag`, '--out-dir', 'out', '--summary-export', 'export.json', '--out', 'json=points.jsonl', '--out', 'csv=points.csv',
      ],
      { cwd: dir, env: { LLMPERF_API_KEY: `${MARK}-envvar` } },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /DEBUG > POST http:\/\/user:\*\*\*@127\.0\.0\.1/, 'the debug lines were printed');
    assert.equal(mock.stats().requests >= 2, true);
    assertNoLeak('run', r, dir, ['out/run.json', 'out/summary.json', 'out/requests.sqlite', 'out/report.html', 'export.json', 'points.jsonl']);
  }),
);

test(
  'perf: --api-key, --headers (Authorization, gateway keys), --wandb-api-key and a URL password appear in no file or terminal line',
  withMock(async (_mock, url) => {
    const dir = tempFiles({});
    const r = await runCli(
      [
        'perf', '--url', `${url}/chat/completions`, '--model', 'm', '--api-key', `${MARK}-perf-key`, '--number', '2', '--parallel', '1', '--prompt', 'hi', '--debug', '--outputs-dir', 'out',
        '--headers', `Authorization=Bearer ${MARK}-perf-auth`, `X-Goog-Api-Key=${MARK}-perf-goog`, `x-portkey-config=${MARK}-perf-portkey`, `api-key: ${MARK}-perf-azure`,
      ],
      { cwd: dir, env: { LLMPERF_API_KEY: `${MARK}-perf-envvar` } },
    );
    assert.equal(r.code, 0, r.stderr);
    assertNoLeak('perf', r, dir, ['run.json', 'benchmark_args.json', 'perf.ts', 'benchmark.log', 'requests.sqlite']);
  }),
);

test(
  'sweep and capacity: flags, headers, -e, config file and URL password appear in no file or terminal line',
  withMock(async (_mock, url) => {
    const dir = tempFiles({ 's.ts': SCRIPT, 'cfg.json': CONFIG });
    const common = ['--url', url, '--api-key', `${MARK}-sweep-key`, '--header', `Authorization=Bearer ${MARK}-sweep-auth`, '--header', `X-Upstream-Auth=${MARK}-sweep-up`, '-e', `MY_TOKEN=${MARK}-sweep-env`, '--config', 'cfg.json', '--requests-per-level', '2', '--save-levels'];
    const s = await runCli(['sweep', 's.ts', ...common, '--concurrency', '1,2', '--out-dir', 'sweep'], { cwd: dir, timeoutMs: 120_000 });
    assert.equal(s.code, 0, s.stderr);
    assertNoLeak('sweep', s, dir, ['sweep/sweep.json']);
    const c = await runCli(['capacity', 's.ts', ...common, '--slo', 'p99(llm_ttft)<60000', '--out-dir', 'cap'], { cwd: dir, timeoutMs: 180_000 });
    assert.ok(c.code === 0 || c.code === 99, c.stderr);
    assertNoLeak('capacity', c, dir, ['cap/sweep.json']);
  }),
);

test(
  'merge: the merged run keeps the secrets out (run.json, summary.json, report)',
  withMock(async (_mock, url) => {
    const dir = tempFiles({ 's.ts': SCRIPT, 'cfg.json': CONFIG });
    for (const seg of ['0:1/2', '1/2:1']) {
      const r = await runCli(['run', 's.ts', '--url', url, '--config', 'cfg.json', '--header', `Authorization=Bearer ${MARK}-m-auth`, '--execution-segment', seg, '--out-dir', `seg-${seg.replace(/[:/]/g, '_')}`], { cwd: dir, env: { LLMPERF_API_KEY: `${MARK}-m-envvar` } });
      assert.equal(r.code, 0, r.stderr);
    }
    const m = await runCli(['merge', 'seg-0_1_2', 'seg-1_2_1', '--out', 'merged'], { cwd: dir });
    assert.equal(m.code, 0, m.stderr);
    assertNoLeak('merge', m, dir, ['merged/summary.json']);
  }),
);

test('k8s: secrets are refused with where to put them (a Secret and --env-from-secret), and never printed', async () => {
  const dir = tempFiles({ 'k.ts': K8S_SCRIPT });
  const base = ['k8s', 'k.ts', '-p', '2', '--image', 'registry.example/llmperf:1'];
  const cases: string[][] = [
    ['-e', `MY_TOKEN=${MARK}-k8s-env`],
    ['--url', `http://u:${MARK}-k8s-url@vllm:8000/v1`],
    ['--', '--api-key', `${MARK}-k8s-key`],
    ['--', '--header', `X-Goog-Api-Key=${MARK}-k8s-goog`],
  ];
  for (const extra of cases) {
    const r = await runCli([...base, ...extra], { cwd: dir });
    assert.equal(r.code, 104, `${extra.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /looks like a secret|carries a secret/);
    assert.match(r.stderr, /--env-from-secret/);
    assertNoLeak(`k8s ${extra[0]}`, r, dir);
  }
  const ok = await runCli([...base, '-e', 'PROMPTS=short', '--env-from-secret', 'llmperf-keys', '--url', 'http://vllm:8000/v1'], { cwd: dir, env: { LLMPERF_API_KEY: `${MARK}-k8s-envvar` } });
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /secretRef:\s+name: llmperf-keys/);
  assertNoLeak('k8s', ok, dir);
  writeFileSync(path.join(dir, 'manifests.yaml'), ok.stdout);
});
