import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { ConfigError } from '../../runtime/errors.ts';
import { parseMockOptions, resolveMockOptions, startMockServer } from '../../runtime/mock/index.ts';
import { Scheduler, type Timed } from '../../runtime/mock/scheduler.ts';
import { chatBody, contentEvents, sse } from './helpers.ts';

describe('parseMockOptions', () => {
  const ok: Array<[Record<string, unknown>, Record<string, unknown>]> = [
    [{}, {}],
    [{ _: ['mock'], $0: 'llmperf', host: '0.0.0.0', port: '8001' }, { host: '0.0.0.0', port: 8001 }],
    [{ ttft: '200ms', itl: '20ms' }, { ttftMs: 200, itlMs: 20 }],
    [{ ttft: '1.5s', itl: '0' }, { ttftMs: 1500, itlMs: 0 }],
    [{ ttftMs: 30 }, { ttftMs: 30 }],
    [{ 'output-tokens': '128' }, { outputTokens: 128 }],
    [{ 'output-tokens': '64-256' }, { outputTokens: { min: 64, max: 256 } }],
    [{ outputTokens: 5 }, { outputTokens: 5 }],
    [{ 'tokens-per-chunk': 4, 'events-per-write': '16' }, { tokensPerChunk: 4, eventsPerWrite: 16 }],
    [{ usage: false, model: 'm', seed: '9' }, { usage: false, model: 'm', seed: 9 }],
    [{ 'trace-file': '/tmp/x.jsonl' }, { traceFile: '/tmp/x.jsonl' }],
    [{ fault: ['http_500=0.1', 'reset=5%'] }, { faults: { http_500: 0.1, reset: 0.05 } }],
    [{ fault: 'stall=1,bad_json=0', stall: '500ms', 'slow-headers': '2s' }, { faults: { stall: 1, bad_json: 0, stallMs: 500, slowHeadersMs: 2000 } }],
    [{ 'ttft-per-inflight': '5ms', 'itl-per-inflight': '0.5ms' }, { load: { ttftPerInflightMs: 5, itlPerInflightMs: 0.5 } }],
    [{ 'ttft-per-inflight': '5ms' }, { load: { ttftPerInflightMs: 5, itlPerInflightMs: 0 } }],
    [{ jitter: '20%' }, { jitterPct: 0.2 }],
    [{ jitter: '0.1' }, { jitterPct: 0.1 }],
  ];
  for (const [raw, want] of ok) {
    test(`parses ${JSON.stringify(raw)}`, () => assert.deepEqual(parseMockOptions(raw), want));
  }

  const bad: Array<[Record<string, unknown>, RegExp]> = [
    [{ ttft: '200' }, /ttft: "200" has no unit/],
    [{ itl: 'fast' }, /itl/],
    [{ port: '70000' }, /port/],
    [{ 'output-tokens': '256-64' }, /min > max/],
    [{ 'output-tokens': '0' }, /output-tokens/],
    [{ 'output-tokens': 'lots' }, /output-tokens/],
    [{ fault: 'explode=0.1' }, /unknown fault "explode".*http_429/],
    [{ fault: 'http_500' }, /name=rate/],
    [{ fault: 'http_500=2' }, /between 0 and 1/],
    [{ jitter: '1.5' }, /jitter/],
    [{ usage: 'maybe' }, /usage/],
  ];
  for (const [raw, re] of bad) {
    test(`rejects ${JSON.stringify(raw)}`, () => {
      assert.throws(() => parseMockOptions(raw), (e: unknown) => e instanceof ConfigError && re.test(e.message));
    });
  }

  test('resolveMockOptions fills defaults and validates programmatic options', () => {
    const o = resolveMockOptions({});
    assert.equal(o.host, '127.0.0.1');
    assert.equal(o.port, 0);
    assert.equal(o.ttftMs, 50);
    assert.equal(o.itlMs, 10);
    assert.equal(o.outputTokens, 64);
    assert.equal(o.usage, true);
    assert.equal(o.model, 'mock-llm');
    assert.throws(() => resolveMockOptions({ ttftMs: -1 }), ConfigError);
    assert.throws(() => resolveMockOptions({ outputTokens: { min: 9, max: 3 } }), ConfigError);
    assert.throws(() => resolveMockOptions({ faults: { http_500: 3 } }), ConfigError);
    assert.throws(() => resolveMockOptions({ jitterPct: 20 }), /fraction/);
  });
});

describe('scheduler', () => {
  test('runs tasks in deadline order, never early', async () => {
    const sch = new Scheduler();
    const start = Number(process.hrtime.bigint()) / 1e6;
    const fired: Array<[number, number]> = [];
    const delays = [30, 5, 20, 5, 0, 12, 1, 25];
    await new Promise<void>((resolve) => {
      delays.forEach((d, i) => {
        const t: Timed = {
          due: 0, seq: 0,
          fire(now) { fired.push([i, now - start]); if (fired.length === delays.length) resolve(); },
        };
        sch.schedule(t, start + d);
      });
    });
    sch.close();
    assert.deepEqual(fired.map(([i]) => i), [4, 6, 1, 3, 5, 2, 7, 0]);
    for (const [i, at] of fired) assert.ok(at >= delays[i]! && at < delays[i]! + 100, `task ${i} at ${at}`);
  });
});

describe('llmperf mock (command)', () => {
  test('prints one line, serves, and exits 0 on SIGTERM', async () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const script = "import yargs from 'yargs'; import { mockCommand } from './cli/mock.ts'; await yargs(process.argv.slice(1)).command(mockCommand).strict().parseAsync();";
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, 'mock', '--port', '0', '--ttft', '10ms', '--itl', '1ms', '--output-tokens', '3'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (b: Buffer) => { out += b; if (out.includes('\n')) resolve(out); });
        child.once('exit', (code) => reject(new Error(`exited ${code} before listening: ${out}`)));
        setTimeout(() => reject(new Error('no output within 10s')), 10_000).unref();
      });
      const m = /^mock LLM server listening on (http:\/\/127\.0\.0\.1:\d+\/v1) \(ttft 10ms, itl 1ms, 3 tokens\)\n$/.exec(line);
      assert.ok(m, line);
      const r = await sse(`${m[1]}/chat/completions`, chatBody());
      assert.equal(contentEvents(r).length, 3);
    } finally {
      const code = await new Promise<number | null>((resolve) => { child.once('exit', (c) => resolve(c)); child.kill('SIGTERM'); });
      assert.equal(code, 0);
    }
  });

  test('a free port is picked with port 0 and the url names it', async () => {
    const s = await startMockServer();
    try { assert.equal(s.url, `http://127.0.0.1:${s.port}/v1`); } finally { await s.close(); }
  });
});
