// llmperf/llm: chat, completions, non-streaming, per-request options and the result object.
// Every request is timed on the host; a failed request resolves with ok: false and an error code.
//
//   llmperf run scripts-examples/llm-requests.ts
import llm from 'llmperf/llm';
import { check } from 'llmperf';
import type { Options } from 'llmperf/options';

export const options = {
  vus: 2,
  iterations: 6,
  thresholds: {
    llm_req_failed: ['rate<0.01'],
    'llm_ttft{name:chat}': ['p(95)<2000'], // the `name` request option becomes a tag
    'llm_e2e{name:completion}': ['p(95)<5000'],
  },
} satisfies Options;

export default async function () {
  // Chat: the body is OpenAI's; llmperf adds model, stream: true and stream_options.include_usage.
  const res = await llm.chat(
    {
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'What is the difference between TTFT and TPOT?' },
      ],
      max_tokens: 64,
      temperature: 0.2,
      ignore_eos: true, // any extra field is sent as is (vLLM/SGLang options)
    },
    { name: 'chat', tags: { kind: 'faq' }, timeout: '30s' },
  );
  if (!res.ok) {
    console.warn('chat failed: ' + res.error?.code + ' ' + res.error?.message);
    return;
  }
  check(res, {
    'status is 200': (r) => r.status === 200,
    'ttft measured': (r) => r.ttft !== null && r.ttft > 0,
    'usage from the server': (r) => r.usage?.completion_tokens === r.outputTokens,
    'one ITL gap per chunk after the first': (r) => r.itl.length === r.chunks - 1,
  });

  // Completions: POST {url}/completions with a prompt.
  const c = await llm.complete({ prompt: 'Once upon a time', max_tokens: 32 }, { name: 'completion' });
  check(c, { 'completion has text': (r) => r.text.length > 0 });

  // Non-streaming: no first token to time, so ttft is null; e2e is the whole response.
  const whole = await llm.chat({ messages: [{ role: 'user', content: 'Say hi.' }], max_tokens: 8, stream: false }, { name: 'non-streaming' });
  check(whole, { 'non-streaming: e2e only': (r) => r.ttft === null && r.e2e !== null });
}
