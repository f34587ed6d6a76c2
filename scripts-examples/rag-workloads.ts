// Three workloads of one retrieval-augmented service in one run, each with its own thresholds:
// documents are embedded (llm.embed), a query's candidates reranked (llm.rerank) and the answer
// generated with OpenAI's Responses API (llm.responses). Each call goes through its own adapter and
// is tagged api:embedding, api:rerank, api:responses, which the thresholds select.
//
//   llmperf run scripts-examples/rag-workloads.ts                         (the built-in mock)
//   llmperf run scripts-examples/rag-workloads.ts --url http://127.0.0.1:8000/v1 --model my-model
import llm from 'llmperf/llm';
import { check } from 'llmperf';
import type { Options } from 'llmperf/options';

const docs = ['Prefix caching reuses the KV cache of a shared prompt prefix.', 'TTFT is the time to the first token.', 'TPOT is the time per output token.', 'Batching raises throughput.'];

export const options = {
  scenarios: {
    index: { executor: 'shared-iterations', vus: 2, iterations: Number(__ENV.DOCS ?? 8), exec: 'index' },
    ask: { executor: 'shared-iterations', vus: 2, iterations: Number(__ENV.QUESTIONS ?? 4), exec: 'ask' },
  },
  thresholds: {
    'llm_e2e{api:embedding}': ['p(95)<2000'], // an embedding has no first token: its latency is e2e
    'llm_batch_size{api:embedding}': ['avg>=4'],
    'llm_e2e{api:rerank}': ['p(95)<2000'],
    'llm_ttft{api:responses}': ['p(95)<3000'],
    llm_req_failed: ['rate<0.01'],
  },
} satisfies Options;

export async function index() {
  const res = await llm.embed({ input: docs });
  check(res, { 'embedded every document': (r) => r.ok && r.batchSize === docs.length });
}

export async function ask() {
  const question = 'What does prefix caching save?';
  const ranked = await llm.rerank({ query: question, documents: docs, top_n: 2 });
  check(ranked, { 'reranked': (r) => r.ok });
  const answer = await llm.responses({
    instructions: 'Answer from the context only.',
    input: [{ role: 'user', content: `Context: ${docs[0]}\n\nQuestion: ${question}` }],
    max_output_tokens: 48,
  });
  check(answer, { 'answered': (r) => r.ok && r.text.length > 0 && r.ttft !== null });
}
