/** `llmperf new --template open-loop`: requests arrive at a rate, whatever the latency. */
export const openLoopTemplate = {
  name: 'open-loop',
  description: 'open loop: Poisson arrivals at a fixed rate, as production traffic arrives',
  source: String.raw`// An open-loop benchmark: requests arrive as a Poisson process at RATE per second for DURATION,
// however slow the server is (vLLM's --request-rate). When every VU is busy, new VUs are added up to
// maxVUs; beyond that, arrivals are dropped and counted in dropped_iterations.
//
//   llmperf run SCRIPT
//   llmperf run SCRIPT --url http://127.0.0.1:8000/v1 -e RATE=20 -e DURATION=2m
//   llmperf inspect SCRIPT -e RATE=20        # check the plan first
import llm from 'llmperf/llm';
import { check } from 'llmperf';
import type { Options } from 'llmperf/options';

export const options = {
  scenarios: {
    poisson: {
      executor: 'constant-arrival-rate',
      rate: Number(__ENV.RATE ?? 5), // iterations per timeUnit
      timeUnit: '1s',
      duration: __ENV.DURATION ?? '30s',
      arrival: 'poisson', // or 'constant' (evenly spaced), or { gamma: 0.5 } (burstier)
      seed: 42, // the same seed gives the same arrival times
      preAllocatedVUs: 10,
      maxVUs: 100,
    },
  },
  thresholds: {
    llm_req_failed: ['rate<0.01'],
    llm_ttft: ['p(95)<2000'],
    // The client's own delay: if it grows, the load generator (not the server) is the bottleneck.
    llm_schedule_lag: ['p(99)<100'],
    dropped_iterations: ['count==0'],
  },
} satisfies Options;

export default async function () {
  const res = await llm.chat({
    messages: [{ role: 'user', content: 'Summarise the benefits of continuous batching in three sentences.' }],
    max_tokens: 128,
  });
  check(res, { 'no error': (r) => r.ok });
}
`,
};
