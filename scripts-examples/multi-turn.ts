// Multi-turn chat: each iteration is one conversation. Every turn sends the whole history so far (the
// model's own earlier answers included), so prompts grow turn by turn and a server with prefix
// caching should answer later turns faster. Requests are tagged with their turn: the summary shows
// TTFT per turn (llm_ttft{turn:1}, {turn:2}, ...).
//
// User turns come from ShareGPT conversations with SHAREGPT=path (relative to this script), else
// from a fixed opening question and generated follow-ups.
//
//   llmperf run scripts-examples/multi-turn.ts
//   llmperf run scripts-examples/multi-turn.ts -e SHAREGPT=./sharegpt.json -e TURNS=4 --url http://127.0.0.1:8000/v1
import llm from 'llmperf/llm';
import type { ChatMessage } from 'llmperf/llm';
import { check } from 'llmperf';
import { sharegpt, type ChatMessage as TurnMessage } from 'llmperf/data';
import type { Options } from 'llmperf/options';

const TURNS = Number(__ENV.TURNS ?? 3);
const conversations = __ENV.SHAREGPT ? sharegpt(__ENV.SHAREGPT) : undefined; // init code: read once, on the host

export const options = {
  scenarios: {
    chats: { executor: 'shared-iterations', vus: Number(__ENV.VUS ?? 4), iterations: Number(__ENV.CONVERSATIONS ?? 8), maxDuration: '5m' },
  },
  thresholds: {
    llm_req_failed: ['rate<0.01'],
    'llm_ttft{turn:1}': ['p(95)<2000'], // first turn: nothing cached yet
    'llm_ttft{turn:2}': ['p(95)<2000'],
  },
} satisfies Options;

const followUps = ['Can you give an example?', 'How would I measure that?', 'What are the trade-offs?', 'Summarise it in one line.'];

/** The user turns of this iteration's conversation. */
function userTurns(): string[] {
  if (conversations) {
    const conv = (conversations.nextItem().meta?.conversation ?? []) as TurnMessage[]; // ShareGPT keeps the whole conversation in meta
    const asked = conv.filter((m) => m.role === 'user').map((m) => m.content);
    if (asked.length) return asked.slice(0, TURNS);
  }
  return ['What is prefix caching in LLM serving?', ...followUps].slice(0, TURNS);
}

export default async function () {
  const messages: ChatMessage[] = [{ role: 'system', content: 'You are a concise assistant for performance engineers.' }];
  const turns = userTurns();
  for (let i = 0; i < turns.length; i++) {
    messages.push({ role: 'user', content: turns[i]! });
    const res = await llm.chat({ messages, max_tokens: 64 }, { tags: { turn: String(i + 1) } });
    check(res, { 'turn answered': (r) => r.ok && r.text.length > 0 });
    if (!res.ok) return; // the conversation ends on an error
    messages.push({ role: 'assistant', content: res.text }); // the history the next turn carries
  }
}
