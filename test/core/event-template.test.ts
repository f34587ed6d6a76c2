// The per-stream event template (runtime/llm/event-template.ts) must answer exactly what the
// adapter's own parseEvent answers, for every event, matching or not; it only saves the work. The
// one exception is the response id, which the template leaves out (a stream's id is read from its
// first event, which is always parsed): answers are compared without it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventTemplate, literalValue, templateFor } from '../../runtime/llm/event-template.ts';
import { openaiApi } from '../../runtime/llm/openai.ts';
import { dashscopeApi } from '../../runtime/llm/dashscope.ts';
import type { ApiAdapter, ParsedDelta } from '../../runtime/llm/api.ts';
import { mulberry32 } from '../../runtime/rng.ts';

function outcome(f: () => ParsedDelta): unknown {
  try {
    const { id: _id, ...rest } = f();
    return { ok: rest };
  } catch (e) {
    return { threw: (e as Error).name };
  }
}

/** Feeds the events through a template and through parseEvent; every answer must be equal. */
function agree(api: ApiAdapter, events: Array<[string, string | undefined]>): EventTemplate {
  const t = new EventTemplate(api);
  for (const [data, ev] of events) {
    assert.deepEqual(outcome(() => t.parse(data, ev)), outcome(() => api.parseEvent(data, ev)), `event ${data}`);
  }
  return t;
}

const chunk = (content: string, extra = '"finish_reason":null', id = 'chatcmpl-1', model = 'm') =>
  `{"id":"${id}","object":"chat.completion.chunk","created":1795996117,"model":"${model}","choices":[{"index":0,"delta":{"content":${content}},"logprobs":null,${extra}}]}`;

test('a vLLM-shaped stream is answered from the template after the first content event, with the same results', () => {
  const words = [' the', ' quick', ' brown', ' fox', ' jumps', ' over', ' a', ' lazy', ' dog'];
  const events: Array<[string, string | undefined]> = [
    [`{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1795996117,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}`, undefined],
    ...words.map((w): [string, undefined] => [chunk(JSON.stringify(w)), undefined]),
    [chunk('"."', '"finish_reason":"stop"'), undefined],
    ['{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1795996117,"model":"m","choices":[],"usage":{"prompt_tokens":3,"total_tokens":13,"completion_tokens":10}}', undefined],
    ['[DONE]', undefined],
  ];
  const t = agree(openaiApi, events);
  assert.equal(t.hits, words.length - 1, 'every content event after the one that taught the template');
});

test('escapes, unicode, empty strings and look-alike middles agree with JSON.parse', () => {
  const middles = [
    '"plain"', '"with \\"quote\\""', '"back\\\\slash"', '"tab\\tnew\\nline"', '"\\u00e9t\\u00e9"', '"été 日本 🚀"', '""',
    '"a","x":"b"', // two literals: must not be read as one
    '"unterminated', '"bad \\q escape"', '"raw\tcontrol"', '"a"  ', '123', 'null', '"x"}', '"ok"',
  ];
  const events: Array<[string, string | undefined]> = [[chunk('"first"'), undefined]];
  for (const m of middles) events.push([chunk(m), undefined]);
  const t = agree(openaiApi, events);
  assert.ok(t.hits >= 6, `template used for the valid literals (hits ${t.hits})`);
});

test('a literal that also appears elsewhere (content equal to the model name) is not mistaken for the output', () => {
  const t = agree(openaiApi, [
    [chunk('"m"'), undefined],
    [chunk('"zz"'), undefined],
    [chunk('"m"'), undefined],
    [chunk('"yy"', '"finish_reason":null', 'chatcmpl-1', 'zz'), undefined],
  ]);
  assert.ok(t.hits >= 1);
});

test('random streams: ids, finish reasons, usage and text vary; results always agree', () => {
  const rng = mulberry32(7);
  const pick = <T,>(xs: T[]): T => xs[Math.floor(rng() * xs.length)]!;
  const texts = [' a', ' b', 'c', '\\n', '\\"', ' m', '', ' naïve', '}', ']', '\\\\'];
  for (let s = 0; s < 50; s++) {
    const events: Array<[string, string | undefined]> = [];
    const id = `chatcmpl-${s}`;
    for (let i = 0; i < 40; i++) {
      const r = rng();
      if (r < 0.05) events.push([chunk(`"${pick(texts)}"`, '"finish_reason":"length"', id), undefined]);
      else if (r < 0.08) events.push([`{"id":"${id}","choices":[],"usage":{"prompt_tokens":${i},"completion_tokens":${i}}}`, undefined]);
      else if (r < 0.1) events.push([chunk(`"${pick(texts)}"`, '"finish_reason":null', `chatcmpl-${s}-${i}`), undefined]);
      else if (r < 0.12) events.push(['{"error":{"message":"boom"}}', undefined]);
      else if (r < 0.13) events.push(['{"choices":[{"delta":{"content":"x"}}', undefined]); // truncated JSON
      else events.push([chunk(`"${pick(texts)}${pick(texts)}"`, '"finish_reason":null', id), undefined]);
    }
    agree(openaiApi, events);
  }
});

test('reasoning streams and DashScope events use the template too', () => {
  const r = (x: string) => `{"id":"c","choices":[{"index":0,"delta":{"reasoning_content":${x}},"finish_reason":null}]}`;
  const t1 = agree(openaiApi, [[r('"think"'), undefined], [r('"more"'), undefined], [r('"\\u0041"'), undefined], [chunk('"answer"'), undefined]]);
  assert.equal(t1.hits, 2);
  const ds = (x: string, fin = 'null') => `{"output":{"choices":[{"message":{"content":${x},"role":"assistant"},"finish_reason":"${fin}"}]},"usage":{"input_tokens":5,"output_tokens":2},"request_id":"r1"}`;
  const t2 = agree(dashscopeApi, [[ds('"a"'), 'result'], [ds('"b"'), 'result'], [ds('"c"'), 'result'], [ds('"b"'), 'error'], [ds('"c"', 'stop'), 'result']]);
  assert.equal(t2.hits, 2);
});

test('a stream whose events never repeat (usage counted in every event) stops learning after a few attempts', () => {
  let parses = 0;
  const counting: ApiAdapter = { ...dashscopeApi, parseEvent: (d, e) => (parses++, dashscopeApi.parseEvent(d, e)) };
  const t = new EventTemplate(counting);
  const ev = (i: number) => `{"output":{"choices":[{"message":{"content":"w${i}","role":"assistant"},"finish_reason":"null"}]},"usage":{"input_tokens":5,"output_tokens":${i}}}`;
  for (let i = 1; i <= 100; i++) assert.deepEqual(t.parse(ev(i), 'result'), dashscopeApi.parseEvent(ev(i), 'result'));
  assert.equal(t.hits, 0);
  assert.ok(parses <= 100 + 6, `at most 6 probe parses on top of one per event (got ${parses})`);
});

test('plugins (not marked safe) never get a template; literalValue accepts exactly one JSON string literal', () => {
  const plugin: ApiAdapter = { ...openaiApi, name: 'plugin' };
  assert.equal(templateFor(plugin), null);
  assert.ok(templateFor(openaiApi));
  const lv = (s: string) => literalValue(s, 0, s.length);
  assert.equal(lv('"abc"'), 'abc');
  assert.equal(lv('"a\\"b"'), 'a"b');
  assert.equal(lv('""'), '');
  for (const bad of ['"', 'abc', '"a"b"', '"a\\"', '"\u0001"', '"a" ', ' "a"']) assert.equal(lv(bad), undefined, bad);
});
