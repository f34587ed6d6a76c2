// The pieces of the request path that decide what a response is and whether it streamed, table by
// table: SSE line bounds (runtime/llm/sse.ts), the content sniff and encodings (decode.ts), the
// stream check and the token estimate (result.ts), n > 1 choices in the OpenAI adapter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { SseParser } from '../../runtime/llm/sse.ts';
import { contentEncoding, createBodyDecoder, mediaType, printable, sniffBody } from '../../runtime/llm/decode.ts';
import { checkStream, computeTimings, countTokens, estimateTokens } from '../../runtime/llm/result.ts';
import { failedExchange, type RawExchange } from '../../runtime/llm/exchange.ts';
import { openaiApi } from '../../runtime/llm/openai.ts';
import { EventTemplate } from '../../runtime/llm/event-template.ts';

test('a line that never ends stops at the limit, once, in time linear in its length (issue #20 item 11)', () => {
  const overflows: string[] = [];
  const p = new SseParser({ onEvent: () => assert.fail('no event'), onError: (m) => assert.fail(m), onOverflow: (m) => overflows.push(m) }, 1024 * 1024);
  const piece = 'x'.repeat(64 * 1024);
  const t = performance.now();
  for (let i = 0; i < 40 * 16; i++) p.feed(piece, i); // 40 MiB offered, 1 MiB allowed
  assert.ok(performance.now() - t < 5000, 'linear, not quadratic');
  assert.equal(overflows.length, 1);
  assert.match(overflows[0]!, /exceeded 1048576 characters/);
});

test('a long line under the limit is still one event, whatever the chunking', () => {
  const events: string[] = [];
  const p = new SseParser({ onEvent: (e) => events.push(e.data), onError: (m) => assert.fail(m) });
  const data = 'é'.repeat(3 * 1024 * 1024);
  const body = `data: ${data}\n\ndata: [DONE]\n\n`;
  for (let i = 0; i < body.length; i += 65_537) p.feed(body.slice(i, i + 65_537));
  assert.deepEqual(events.map((e) => e.length), [data.length, 6]);
  assert.equal(events[0], data);
});

test('many data lines of one event are bounded too', () => {
  let overflow = '';
  const p = new SseParser({ onEvent: () => assert.fail('no event'), onError: (m) => assert.fail(m), onOverflow: (m) => (overflow = m) }, 1000);
  for (let i = 0; i < 200; i++) p.feed('data: 0123456789\n');
  assert.match(overflow, /event's data/);
});

test('sniffBody: SSE or a document, from the first characters', () => {
  const cases: Array<[string, boolean, 'sse' | 'body' | null]> = [
    ['data: {"a":1}\n\n', false, 'sse'],
    ['data:{"a":1}', false, 'sse'],
    ['\ufeff\r\n: ping\n', false, 'sse'],
    ['event: x\n', false, 'sse'],
    ['id: 1\n', false, 'sse'],
    ['retry: 10\n', false, 'sse'],
    ['  {"choices":[]}', false, 'body'],
    ['[1,2]', false, 'body'],
    ['dat', false, null],
    ['dat', true, 'body'],
    ['', false, null],
    ['\n\n', true, 'body'],
    ['datum: x', false, 'body'],
    ['hello world', false, 'body'],
    ['<html>', false, 'body'],
  ];
  for (const [text, final, want] of cases) assert.equal(sniffBody(text, final), want, JSON.stringify(text));
});

test('content-encoding and content-type headers', () => {
  assert.equal(contentEncoding(undefined), null);
  assert.equal(contentEncoding('identity'), null);
  assert.equal(contentEncoding('GZIP'), 'gzip');
  assert.equal(contentEncoding('x-gzip'), 'gzip');
  assert.equal(contentEncoding('br'), 'br');
  assert.equal(contentEncoding('deflate'), 'deflate');
  assert.deepEqual(contentEncoding('zstd'), { unsupported: 'zstd' });
  assert.deepEqual(contentEncoding('gzip, br'), { unsupported: 'gzip, br' });
  assert.equal(mediaType('text/event-stream; charset=utf-8'), 'text/event-stream');
  assert.equal(mediaType('Text/Plain'), 'text/plain');
  assert.equal(mediaType(undefined), null);
  assert.match(printable('\u0000\u0001\u0002\ufffd\ufffd\ufffd\u001f\u008b\ufffd\ufffd', 'gzip'), /binary data \(content-encoding: gzip\)/);
  assert.equal(printable('ok\u0007 text that is mostly fine'), 'ok text that is mostly fine');
});

test('a decoder gives each decoded byte the arrival time of its compressed chunk; raw and zlib deflate both decode', async () => {
  for (const [enc, compress] of [
    ['gzip', (b: Buffer) => zlib.gzipSync(b)],
    ['deflate', (b: Buffer) => zlib.deflateSync(b)],
    ['deflate', (b: Buffer) => zlib.deflateRawSync(b)],
    ['br', (b: Buffer) => zlib.brotliCompressSync(b)],
  ] as const) {
    const whole = compress(Buffer.from('data: one\n\ndata: two\n\n'.repeat(50)));
    const got: Array<[string, number]> = [];
    const d = createBodyDecoder(enc, (b, t) => got.push([b.toString(), t]), (e) => assert.fail(e));
    const half = Math.floor(whole.length / 2);
    d.write(whole.subarray(0, half), 1);
    d.write(whole.subarray(half), 2);
    await new Promise<void>((r) => d.end(r));
    assert.equal(got.map(([s]) => s).join(''), 'data: one\n\ndata: two\n\n'.repeat(50), enc);
    for (const [, t] of got) assert.ok(t === 1 || t === 2);
  }
  let err: Error | undefined;
  const bad = createBodyDecoder('gzip', () => undefined, (e) => (err = e));
  bad.write(Buffer.from('not gzip at all'), 1);
  await new Promise((r) => setTimeout(r, 50));
  assert.ok(err, 'corrupt data is an error');
});

function raw(over: Partial<RawExchange>): RawExchange {
  return { ...failedExchange('ABORTED', ''), errorCode: null, errorMessage: null, status: 200, t0: 0, tHeaders: 1, tEnd: 100, sse: true, contentType: 'text/event-stream', ...over };
}

test('checkStream: ok, buffered, one_read, not_streamed', () => {
  const times = (...t: number[]) => ({ outputTimes: t, outputChars: t.map(() => 1) });
  const check = (x: RawExchange, stream = true) => checkStream(x, computeTimings(x, x.outputTimes.length, x.sse).itl, stream);
  assert.equal(check(raw(times(10, 20, 30, 40, 50, 60))), 'ok');
  assert.equal(check(raw(times(10))), 'ok');
  assert.equal(check(raw(times(50, 50, 50, 50))), 'one_read');
  assert.equal(check(raw(times(50, 50, 50))), 'ok', 'three events may share a read by chance');
  const burst = (at: number) => new Array<number>(12).fill(at);
  assert.equal(check(raw(times(...burst(50), ...burst(90), ...burst(130)))), 'buffered', '33 of 35 gaps zero');
  assert.equal(check(raw(times(...burst(50), 60, 70, 80, 90, 100, 110, 120))), 'ok', '11 of 18 gaps zero: a stall, then streaming');
  assert.equal(check(raw(times(50, 50, 60, 60, 70, 70, 80, 80))), 'ok', 'pairs: half the gaps zero');
  assert.equal(check(raw(times(50, 50, 50, 50.01, 60, 60, 60, 60.02, 70, 70, 70, 70))), 'ok', 'bursts of 4: a server or client falling behind');
  assert.equal(check(raw({ sse: false, contentType: 'application/json', ...times(100) })), 'not_streamed');
  assert.equal(check(raw({ sse: false, ...times(100) }), false), null, 'no stream asked, none came');
  assert.equal(check(raw({ sse: false, status: 500, errorCode: 'HTTP_5XX' })), null);
  // several choices: the gaps within each choice's stream, not between the choices
  const two = raw({ outputTimes: [10, 10, 20, 20, 30, 30, 40, 40, 50, 50], outputChars: new Array(10).fill(1), choiceOf: [0, 1, 0, 1, 0, 1, 0, 1, 0, 1], choiceTexts: ['a', 'b'], choiceReasoning: ['', ''] });
  assert.equal(check(two), 'ok');
  assert.deepEqual(computeTimings(two, 10, true).itl, [10, 10, 10, 10, 10, 10, 10, 10]);
});

test('the estimate: max(events, ceil(chars / 4)), for streams and whole answers', () => {
  assert.equal(estimateTokens(8, 100), 25);
  assert.equal(estimateTokens(8, 10), 8);
  assert.equal(estimateTokens(1, 0), 1);
  const body = raw({ sse: false, text: 'x'.repeat(41), outputTimes: [100], outputChars: [41] });
  const c = countTokens(body, () => 'p'.repeat(9), undefined);
  assert.deepEqual([c.outputTokens, c.outputSource, c.inputTokens, c.inputSource], [11, 'estimated', 3, 'estimated']);
});

test('OpenAI chunks: the choice index, several choices in one chunk, and templates never merge choices', () => {
  assert.deepEqual(openaiApi.parseEvent('{"choices":[{"index":1,"delta":{"content":"B"}}]}', undefined), { content: 'B', index: 1 });
  const d = openaiApi.parseEvent('{"choices":[{"index":0,"delta":{"content":"A"}},{"index":1,"delta":{"content":"B"},"finish_reason":"stop"}]}', undefined);
  assert.deepEqual(d, { content: 'A', others: [{ content: 'B', finishReason: 'stop', index: 1 }] });
  const tpl = new EventTemplate(openaiApi);
  const ev = (i: number, s: string) => `{"id":"x","choices":[{"index":${i},"delta":{"content":"${s}"},"finish_reason":null}]}`;
  const seen = [ev(0, 'a'), ev(1, 'b'), ev(0, 'c'), ev(1, 'd'), ev(0, 'e'), ev(1, 'f')].map((e) => tpl.parse(e, undefined));
  assert.deepEqual(seen.map((x) => [x.content, x.index ?? 0]), [['a', 0], ['b', 1], ['c', 0], ['d', 1], ['e', 0], ['f', 1]]);
  assert.equal(openaiApi.completeWithoutDone?.(true), true);
  assert.equal(openaiApi.completeWithoutDone?.(false), false);
});
