// Shared prefixes: groups of requests share a long system prompt (SGLang's generated-shared-prefix
// benchmark). A server with prefix caching computes each group's prefix once; compare TTFT with the
// cache on and off, or across groups (requests are tagged prefix_group).
//
//   llmperf run scripts-examples/shared-prefix.ts
//   llmperf run scripts-examples/shared-prefix.ts --url http://127.0.0.1:8000/v1 --tokenizer ./tokenizer-dir -e PREFIX_TOKENS=4096
import llm from 'llmperf/llm';
import { check } from 'llmperf';
import { sharedPrefix } from 'llmperf/data';
import type { Options } from 'llmperf/options';

// init code: the prompts are built once, on the host (with options.llm.tokenizer when set, token
// lengths are exact; without one a word counts as a token)
const prompts = sharedPrefix({
  groups: Number(__ENV.GROUPS ?? 4),
  promptsPerGroup: Number(__ENV.PER_GROUP ?? 8),
  prefixTokens: Number(__ENV.PREFIX_TOKENS ?? 1024),
  suffixTokens: Number(__ENV.SUFFIX_TOKENS ?? 32),
  seed: 1,
});

export const options = {
  scenarios: {
    prefixes: { executor: 'shared-iterations', vus: Number(__ENV.VUS ?? 8), iterations: prompts.size, maxDuration: '5m' },
  },
  thresholds: {
    llm_req_failed: ['rate<0.01'],
    llm_ttft: ['p(95)<2000'],
  },
} satisfies Options;

export default async function () {
  const item = prompts.nextItem(); // one cursor shared by all VUs: every prompt is sent once
  const res = await llm.chat(
    { messages: item.messages!, max_tokens: 32 },
    { tags: { prefix_group: String(item.meta?.group) } },
  );
  check(res, { 'answered': (r) => r.ok });
}
