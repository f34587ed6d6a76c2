// Units of runtime/results: redaction and run directory naming (run-dir.ts), the programmatic run()
// options (save/outDir/outputs, session.ts), and the store's synchronous flush at exit (store.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRunDir, safeName, timestamp } from '../../runtime/results/run-dir.ts';
import { redactArgv as redactArgs, redactDeep, redactUrl } from '../../runtime/secrets.ts';
import { run } from '../../runtime/api.ts';

test('redaction of the stored command line and URLs', () => {
  assert.deepEqual(
    redactArgs(['run', 'x.ts', '--api-key', 'sk-1', '--api-key=sk-2', '-H', 'Authorization=Bearer x', '--header', 'X-Trace=1', '-e', 'MY_TOKEN=t', '--url', 'http://u:pw@h:8000/v1']),
    ['run', 'x.ts', '--api-key', '[REDACTED]', '--api-key=[REDACTED]', '-H', 'Authorization=[REDACTED]', '--header', 'X-Trace=1', '-e', 'MY_TOKEN=[REDACTED]', '--url', 'http://u:***@h:8000/v1'],
  );
  assert.equal(redactUrl('see https://user:secret@example.com/x'), 'see https://user:***@example.com/x');
  assert.deepEqual(
    redactDeep({ llm: { url: 'http://u:pw@h/v1', apiKey: 'k', tokenizer: 'tiktoken:o200k_base', headers: { Authorization: 'Bearer k', 'X-Auth-Token': 't', 'X-Trace': '1' } }, maxTokens: 'n' }),
    { llm: { url: 'http://u:***@h/v1', apiKey: '[REDACTED]', tokenizer: 'tiktoken:o200k_base', headers: { Authorization: '[REDACTED]', 'X-Auth-Token': '[REDACTED]', 'X-Trace': '1' } }, maxTokens: 'n' },
  );
});

test('run directory names: <name>-<YYYYmmdd-HHMMSS>, unique, safe', () => {
  const d = new Date(2025, 0, 31, 23, 5, 9);
  assert.equal(timestamp(d), '20250131-230509');
  assert.equal(safeName('my chat/test.ts'), 'my-chat-test');
  assert.equal(safeName('***'), 'run');
  const root = mkdtempSync(path.join(tmpdir(), 'llmperf-rd-'));
  const a = createRunDir({ name: 'chat.ts', root, now: d });
  const b = createRunDir({ name: 'chat.ts', root, now: d });
  assert.equal(path.basename(a), 'chat-20250131-230509');
  assert.equal(path.basename(b), 'chat-20250131-230509-2');
});

test('run(): no run directory unless asked; outDir writes one and returns it', async () => {
  const cwd = process.cwd();
  const dir = mkdtempSync(path.join(tmpdir(), 'llmperf-api-'));
  process.chdir(dir);
  try {
    const source = `import llm from 'llmperf/llm';
export const options = { vus: 2, iterations: 6 };
export default async function () { await llm.chat({ messages: [{ role: 'user', content: 'x' }], max_tokens: 4 }); }`;
    const mockOptions = { ttft: '5ms', itl: '1ms' };
    const plain = await run({ script: { source }, mockOptions, log: () => {} });
    assert.equal(plain.runDir, undefined);
    assert.deepEqual(readdirSync(dir), []);
    const saved = await run({ script: { source }, mockOptions, log: () => {}, outDir: 'res', outputs: ['csv=res-points.csv'] });
    assert.equal(saved.runDir, path.join(dir, 'res'));
    assert.ok(existsSync(path.join(dir, 'res', 'requests.sqlite')) && existsSync(path.join(dir, 'res', 'summary.json')));
    assert.equal(readFileSync(path.join(dir, 'res-points.csv'), 'utf8').split('\n').filter((l) => l.startsWith('llm_reqs,')).length, 6);
  } finally {
    process.chdir(cwd);
  }
});

test('the store flushes synchronously when the process exits with records still buffered', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'llmperf-exit-'));
  const file = path.join(dir, 'r.sqlite');
  const code = `
    import { RequestStore } from ${JSON.stringify(path.resolve('runtime/results/store.ts'))};
    const s = new RequestStore(${JSON.stringify(file)}, 'x', console.error, { flushMs: 60_000, maxRows: 1_000_000 });
    s.open({ name: 'x', script: 'x', startedAt: new Date().toISOString(), targetUrl: 'u', options: {}, llmperfVersion: '0' });
    for (let i = 1; i <= 500; i++) s.onRecord({ id: i, scenario: 's', vu: 1, iter: i, api: 'openai', model: 'm', url: 'u', tags: {}, plannedStart: null, start: i, startWall: i, startMono: i,
      ttfb: 1, ttft: 2, e2e: 3, tpot: null, itl: [], chunks: 1, inputTokens: 1, outputTokens: 1, inputTokenSource: 'usage', outputTokenSource: 'usage', status: 200, ok: true,
      errorCode: null, errorMessage: null, finishReason: 'stop', bytesSent: 1, bytesReceived: 1, requestBody: null, responseText: null, good: null, batchSize: null, cachedTokens: null });
    process.exit(3);`;
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: process.cwd(), encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 3, r.stderr);
  const { countRows } = await import('./helpers.ts');
  assert.equal(countRows(file), 500);
});
