// llmperf/data: prompts from files (read once, on the host, before the test), synthetic prompts of
// exact token lengths, and your own data with open() and SharedArray.
//
//   llmperf run scripts-examples/datasets.ts
import llm from 'llmperf/llm';
import { check } from 'llmperf';
import { lineByLine, openqa, random, SharedArray } from 'llmperf/data';
import type { Options } from 'llmperf/options';

// Paths are relative to this script. Every VU shares one cursor per dataset.
const questions = openqa('./data/open_qa.jsonl'); // next() gives the question
const mixed = lineByLine('./data/prompts.txt'); // text lines, message arrays or request bodies
const synthetic = random({ number: 20, minPromptLength: 32, maxPromptLength: 64, seed: 7, tokenizer: 'tiktoken:o200k_base' });
const personas = new SharedArray('personas', () => JSON.parse(open('./data/personas.json')) as string[]);

export const options = {
  vus: 2,
  iterations: 9,
  thresholds: { llm_req_failed: ['rate<0.01'], checks: ['rate==1'] },
} satisfies Options;

export default async function () {
  const persona = personas[__ITER % personas.length]!;
  switch (__ITER % 3) {
    case 0: {
      const res = await llm.chat({
        messages: [{ role: 'system', content: 'Answer as ' + persona + '.' }, { role: 'user', content: questions.next() }],
        max_tokens: 32,
      }, { tags: { dataset: 'openqa' } });
      check(res, { 'openqa answered': (r) => r.ok });
      break;
    }
    case 1: {
      // nextItem() gives the whole item: { prompt } for text, { messages } or { body } for JSON lines
      const item = mixed.nextItem();
      const res = item.body
        ? await llm.request({ max_tokens: 32, ...item.body }, { tags: { dataset: 'lines' } })
        : await llm.chat({ messages: item.messages ?? [{ role: 'user', content: item.prompt ?? '' }], max_tokens: 32 }, { tags: { dataset: 'lines' } });
      check(res, { 'line answered': (r) => r.ok });
      break;
    }
    default: {
      const item = synthetic.nextItem(); // inputTokens: the prompt's exact length in tokens
      const res = await llm.complete({ prompt: item.prompt!, max_tokens: 16 }, { tags: { dataset: 'random' } });
      check(res, { 'random answered': (r) => r.ok && item.inputTokens! >= 32 });
    }
  }
}
