/** `llmperf new --template multi-turn`: conversations that carry their history. */
export const multiTurnTemplate = {
  name: 'multi-turn',
  description: 'multi-turn conversations: each turn sends the history (prefix caching)',
  source: String.raw`// Multi-turn conversations: each iteration is one conversation of TURNS turns; every turn sends the
// whole history, so the prompt grows and a server with prefix caching answers later turns faster.
// A user "thinks" for a moment between turns. Requests are tagged by turn, so thresholds and outputs
// can look at one turn: llm_ttft{turn:1}.
//
//   llmperf run SCRIPT
//   llmperf run SCRIPT --url http://127.0.0.1:8000/v1 -e TURNS=5
import llm from 'llmperf/llm';
import type { ChatMessage } from 'llmperf/llm';
import { check, group, sleep } from 'llmperf';
import { Trend } from 'llmperf/metrics';
import type { Options } from 'llmperf/options';

const TURNS = Number(__ENV.TURNS ?? 3);

// Custom metrics are created in init code (here, at the top level).
const conversationTime = new Trend('conversation_time', true); // true: values are milliseconds

export const options = {
  scenarios: {
    conversations: { executor: 'per-vu-iterations', vus: 4, iterations: 3, maxDuration: '5m' },
  },
  thresholds: {
    llm_req_failed: ['rate<0.01'],
    'llm_ttft{turn:1}': ['p(95)<2000'], // the first turn, no cached prefix
    checks: ['rate>0.99'],
  },
} satisfies Options;

const followUps = ['Can you give an example?', 'How would I measure that?', 'What are the trade-offs?', 'Summarise in one line.'];

export default async function () {
  const messages: ChatMessage[] = [
    { role: 'system', content: 'You are a concise assistant for performance engineers.' },
    { role: 'user', content: 'What is prefix caching in LLM serving?' },
  ];
  let total = 0;
  for (let turn = 1; turn <= TURNS; turn++) {
    const res = await group('turn ' + turn, () =>
      llm.chat({ messages, max_tokens: 96 }, { tags: { turn: String(turn) } }),
    );
    check(res, { 'turn answered': (r) => r.ok && r.text.length > 0 });
    if (!res.ok) return; // end the conversation on an error
    total += res.e2e ?? 0;
    messages.push({ role: 'assistant', content: res.text });
    messages.push({ role: 'user', content: followUps[(turn - 1) % followUps.length]! });
    await sleep(0.5); // think time, seconds
  }
  conversationTime.add(total);
}
`,
};
