// llmperf/metrics: custom Counter, Gauge, Rate and Trend metrics, with tags and thresholds.
//
//   llmperf run scripts-examples/custom-metrics.ts
import llm from 'llmperf/llm';
import { Counter, Gauge, Rate, Trend } from 'llmperf/metrics';
import type { Options } from 'llmperf/options';

// Created in init code (the top level of the script), never inside the default function.
const answerChars = new Trend('answer_chars'); // a distribution
const decodeTime = new Trend('decode_time', true); // true: milliseconds, shown as durations
const refusals = new Rate('refusals'); // the share of true (non-zero) samples
const answers = new Counter('answers'); // a sum (and its rate per second)
const lastPromptTokens = new Gauge('last_prompt_tokens'); // the last value (with min and max)

export const options = {
  vus: 2,
  iterations: 8,
  thresholds: {
    answer_chars: ['avg>10'],
    'answer_chars{length:long}': ['count>0'], // a sub-metric: samples tagged length=long
    decode_time: ['p(95)<5000'],
    refusals: ['rate<0.05'],
    answers: ['count==8'],
    last_prompt_tokens: ['value>0'],
  },
} satisfies Options;

export default async function () {
  const long = __ITER % 2 === 0;
  const res = await llm.chat({ messages: [{ role: 'user', content: 'Describe a GPU.' }], max_tokens: long ? 48 : 16 });
  if (!res.ok) return;
  answers.add(1);
  answerChars.add(res.text.length, { length: long ? 'long' : 'short' });
  if (res.e2e !== null && res.ttft !== null) decodeTime.add(res.e2e - res.ttft);
  refusals.add(/\b(I can't|I cannot|I won't)\b/i.test(res.text)); // booleans count as 1 / 0
  if (res.inputTokens !== null) lastPromptTokens.add(res.inputTokens);
}
