// runtime/llm/sse.ts against the reference eventsource-parser: same events (data, event, id) and
// errors on the same lines, for random streams cut into random chunks, with LF, CRLF and CR line
// ends, comments, multi-line data, BOMs and malformed lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createParser } from 'eventsource-parser';
import { SseParser } from '../../runtime/llm/sse.ts';
import { mulberry32 } from '../../runtime/rng.ts';

interface Seen {
  events: Array<{ data: string; event: string | undefined; id: string | undefined }>;
  errors: number;
}

function reference(chunks: string[]): Seen {
  const out: Seen = { events: [], errors: 0 };
  const p = createParser({ onEvent: (e) => out.events.push({ data: e.data, event: e.event, id: e.id }), onError: () => out.errors++ });
  for (const c of chunks) p.feed(c);
  return out;
}

function ours(chunks: string[]): Seen {
  const out: Seen = { events: [], errors: 0 };
  const p = new SseParser({ onEvent: (e) => out.events.push({ ...e }), onError: () => out.errors++ });
  for (const c of chunks) p.feed(c);
  return out;
}

function cut(s: string, rng: () => number): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    const n = 1 + Math.floor(rng() * (rng() < 0.3 ? 4 : 200));
    out.push(s.slice(i, i + n));
    i += n;
  }
  return out;
}

test('the OpenAI stream shape: one data line per event, LF line ends, whole and cut anywhere', () => {
  const body = Array.from({ length: 50 }, (_, i) => `data: {"choices":[{"delta":{"content":"w${i}"}}]}\n\n`).join('') + 'data: [DONE]\n\n';
  const rng = mulberry32(3);
  const want = reference([body]);
  assert.equal(want.events.length, 51);
  assert.deepEqual(ours([body]), want);
  for (let k = 0; k < 50; k++) assert.deepEqual(ours(cut(body, rng)), want);
});

test('random streams: line ends, comments, fields, multi-line data, BOM, malformed lines, unfinished last event', () => {
  const rng = mulberry32(11);
  const pick = <T,>(xs: T[]): T => xs[Math.floor(rng() * xs.length)]!;
  const ends = ['\n', '\r\n', '\r'];
  const lines = [
    () => `data: ${pick(['{"a":1}', 'x', '', ' two spaces', 'colon: inside', 'é日本🚀'])}`,
    () => `data:${pick(['nospace', '', ' '])}`,
    () => 'data',
    () => `event: ${pick(['result', 'error', ''])}`,
    () => 'event',
    () => `id: ${pick(['1', 'abc', ''])}`,
    () => `: comment ${pick(['', 'ping'])}`,
    () => `retry: ${pick(['1000', 'soon'])}`,
    () => pick(['dat: {"x":1}', 'garbage without a field name', 'foo:bar']),
    () => '',
  ];
  for (let s = 0; s < 300; s++) {
    const end = pick(ends);
    let body = rng() < 0.1 ? '\uFEFF' : '';
    const n = 1 + Math.floor(rng() * 40);
    for (let i = 0; i < n; i++) body += pick(lines)() + (rng() < 0.2 ? pick(ends) : end);
    if (rng() < 0.5) body += 'data: unfinished'; // no blank line: never dispatched
    // A CR that ends the whole body: the reference waits for a possible LF that never comes, this
    // parser takes the line at once (a CR-only server's blank line must not wait for the next chunk)
    if (body.endsWith('\r')) body += '\n';
    // the reference keeps a leading BOM as part of the first field name; the spec skips it
    const want = reference([body.replace(/^\uFEFF/, '')]);
    assert.deepEqual(ours([body]), want, JSON.stringify(body));
    assert.deepEqual(ours(cut(body, rng)), want, JSON.stringify(body));
  }
});

test('a CR at the end of one chunk and a LF at the start of the next end one line, not two; a CR-only blank line dispatches at once', () => {
  const chunks = ['data: a\r', '\n\r', '\ndata: b\r\n\r\n'];
  assert.deepEqual(ours(chunks), reference(chunks));
  assert.deepEqual(ours(chunks).events.map((e) => e.data), ['a', 'b']);
  assert.deepEqual(ours(['data: c\r\r']).events.map((e) => e.data), ['c'], 'no wait for a LF that may follow');
});

test('reset() drops a half-received event', () => {
  const seen: string[] = [];
  const p = new SseParser({ onEvent: (e) => seen.push(e.data), onError: () => {} });
  p.feed('data: one\n\ndata: two');
  p.reset();
  p.feed('\n\ndata: three\n\n');
  assert.deepEqual(seen, ['one', 'three']);
});
