// llmperf/execution and the lifecycle: setup() once before the VUs start (its return value is passed
// to every iteration and to teardown), scenarios running different exported functions, and
// exec.test.abort() to stop the whole run.
//
//   llmperf run scripts-examples/execution-context.ts
import llm from 'llmperf/llm';
import exec from 'llmperf/execution';
import { check } from 'llmperf';
import type { Options } from 'llmperf/options';

export const options = {
  scenarios: {
    warmup: { executor: 'shared-iterations', vus: 1, iterations: 2, exec: 'warmup', tags: { phase: 'warmup' } },
    main: { executor: 'per-vu-iterations', vus: 2, iterations: 3, startTime: '1s' },
  },
  thresholds: {
    'llm_ttft{scenario:main}': ['p(95)<2000'], // judge the main scenario only, not the warmup
  },
} satisfies Options;

interface SetupData {
  startedAt: number;
  systemPrompt: string;
}

// Runs once, in its own VU, before any scenario starts; must return JSON-serialisable data.
export function setup(): SetupData {
  return { startedAt: Date.now(), systemPrompt: 'You are a helpful assistant.' };
}

export async function warmup(): Promise<void> {
  await llm.chat({ messages: [{ role: 'user', content: 'warm up' }], max_tokens: 4 });
}

export default async function (data: SetupData) {
  const { vu, scenario } = exec;
  if (scenario.iterationInTest === 0) {
    console.log('first iteration of ' + scenario.name + ' (' + scenario.executor + ') on VU ' + vu.idInTest + ', tags ' + JSON.stringify(vu.tags));
  }
  const res = await llm.chat({
    messages: [{ role: 'system', content: data.systemPrompt }, { role: 'user', content: 'Iteration ' + scenario.iterationInTest }],
    max_tokens: Number(__ENV.MAX_TOKENS ?? 16), // -e MAX_TOKENS=32
  });
  // A wrong key will not get better: stop the run (exit code 108) instead of failing every request.
  if (res.status === 401 || res.status === 403) exec.test.abort('the server refused the API key: ' + res.status);
  check(res, { 'answered': (r) => r.ok });
}

// Runs once after the scenarios end, with setup()'s data.
export function teardown(data: SetupData): void {
  console.log('test ran for ' + Math.round((Date.now() - data.startedAt) / 1000) + 's');
}
