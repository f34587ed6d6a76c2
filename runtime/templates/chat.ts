/** `llmperf new --template chat`: a closed-loop chat benchmark (the default template). */
export const chatTemplate = {
  name: 'chat',
  description: 'closed loop: a few VUs send chat requests back to back (the default)',
  source: String.raw`// A chat benchmark: VUS virtual users each send a chat request, wait for the whole answer, and send
// the next, until ITERATIONS requests are done. The server sees a steady concurrency of VUS.
//
//   llmperf run SCRIPT                                   # against the built-in mock server
//   llmperf run SCRIPT --url http://127.0.0.1:8000/v1 --model my-model
//   llmperf run SCRIPT -e VUS=16 -e ITERATIONS=500       # script variables, read from __ENV
//   llmperf inspect SCRIPT                               # the resolved options and the plan, without running
import llm from 'llmperf/llm';
import { check } from 'llmperf';
import type { Options } from 'llmperf/options';

export const options = {
  scenarios: {
    chat: {
      executor: 'shared-iterations', // VUs share a fixed number of iterations
      vus: Number(__ENV.VUS ?? 4),
      iterations: Number(__ENV.ITERATIONS ?? 40),
      maxDuration: '5m',
    },
  },
  // The run fails (exit code 99) when a threshold fails. Times are in milliseconds.
  thresholds: {
    llm_req_failed: ['rate<0.01'], // fewer than 1% failed requests
    llm_ttft: ['p(95)<2000'], // time to first token
    llm_tpot: ['p(95)<100'], // time per output token, after the first
  },
} satisfies Options;

const questions = [
  'Explain what time to first token measures, in one paragraph.',
  'Why does batching raise the throughput of an inference server?',
  'What limits the decode speed of a large language model?',
];

// Runs once per iteration, in every VU.
export default async function () {
  const res = await llm.chat({
    messages: [{ role: 'user', content: questions[__ITER % questions.length]! }],
    max_tokens: 128,
    temperature: 0,
  });
  check(res, {
    'status is 200': (r) => r.status === 200,
    'got an answer': (r) => r.text.length > 0,
  });
}
`,
};
