/**
 * Multi-turn datasets (evalscope's, for `--multi-turn`): each item is one conversation, `turns`, the
 * messages each turn adds to the context. Whoever runs the conversation sends turn 1, appends the
 * model's real answer, adds turn 2, and so on: the dataset's own assistant answers are never sent.
 *
 * - share_gpt_zh_multi_turn / share_gpt_en_multi_turn  swift/sharegpt JSONL
 *     ({"conversation": [{"human", "assistant"}]}): one turn per non-empty human message, cut at maxTurns
 * - custom_multi_turn  JSONL, a JSON array of OpenAI messages a line; the turns are split at the
 *     assistant messages ([system, user1, assistant, user2] -> [[system, user1], [user2]]), cut at maxTurns
 * - random_multi_turn  synthetic: [minTurns, maxTurns] turns (maxTurns required), each a user message
 *     of a length drawn from [minPromptLength, maxPromptLength] tokens; needs a tokenizer
 * - swe_smith  the pre-built SWE-smith trajectories file evalscope's examples/perf/build_swe_smith_dataset.py
 *     writes ({"conversations": [[{"messages": [...], "prompt_tokens": n}, ...]]}); llmperf does not build
 *     it from the ModelScope dataset (it never downloads)
 * The length filter (share_gpt_*_multi_turn, custom_multi_turn) looks at the first turn's first user
 * message, as evalscope's does.
 */
import { ConfigError } from '../errors.ts';
import type { DatasetItem, DatasetOptions, DatasetTurn, TurnMessage } from './types.ts';
import { asObject, invalid, parseJsonLine, readLines } from './read.ts';
import { readFile } from 'node:fs/promises';
import { randInt, seeded } from './rng.ts';
import { TextSynth } from './synth.ts';

/** The kinds whose items are conversations (they need --multi-turn in perf). */
export const CONVERSATION_KINDS = ['share_gpt_zh_multi_turn', 'share_gpt_en_multi_turn', 'custom_multi_turn', 'random_multi_turn', 'swe_smith'] as const;

function cut<T>(list: T[], maxTurns: number | undefined): T[] {
  return maxTurns !== undefined && maxTurns > 0 ? list.slice(0, maxTurns) : list;
}

export async function* shareGptTurnsItems(path: string, maxTurns?: number): AsyncGenerator<DatasetItem> {
  for await (const { line, text } of readLines(path)) {
    const where = `${path}:${line}`;
    const record = asObject(parseJsonLine(text, where), where);
    if (!Array.isArray(record.conversation)) continue;
    const humans: string[] = [];
    for (const t of record.conversation) {
      const h = typeof (t as { human?: unknown } | null)?.human === 'string' ? ((t as { human: string }).human).trim() : '';
      if (h) humans.push(h);
    }
    const turns = cut(humans, maxTurns).map((h): DatasetTurn => ({ messages: [{ role: 'user', content: h }] }));
    if (turns.length) yield { turns };
  }
}

function toTurnMessage(m: unknown, where: string, i: number): TurnMessage {
  const o = m as { role?: unknown; content?: unknown } | null;
  if (!o || typeof o !== 'object' || typeof o.role !== 'string' || (typeof o.content !== 'string' && !Array.isArray(o.content))) {
    throw invalid(where, `message ${i} must be {"role": string, "content": string or content parts}`);
  }
  return { ...(o as Record<string, unknown>), role: o.role, content: o.content as TurnMessage['content'] };
}

export async function* customTurnsItems(path: string, maxTurns?: number): AsyncGenerator<DatasetItem> {
  for await (const { line, text } of readLines(path)) {
    const where = `${path}:${line}`;
    const value = parseJsonLine(text, where);
    if (!Array.isArray(value) || value.length === 0) throw invalid(where, 'a custom_multi_turn line is a JSON array of OpenAI messages, e.g. [{"role": "user", "content": "Hi"}]');
    const turns: DatasetTurn[] = [];
    let current: TurnMessage[] = [];
    value.forEach((m, i) => {
      const msg = toTurnMessage(m, where, i);
      if (msg.role === 'assistant') {
        if (current.length) turns.push({ messages: current });
        current = [];
      } else current.push(msg);
    });
    if (current.length) turns.push({ messages: current });
    const kept = cut(turns, maxTurns);
    if (kept.length) yield { turns: kept };
  }
}

/** Multi-turn kinds: the text the length filter measures (the first user message of the first turn), or null to keep the item. */
export function firstUserText(item: DatasetItem): string | null {
  const m = item.turns?.[0]?.messages.find((x) => x.role === 'user');
  return m && typeof m.content === 'string' ? m.content : null;
}

export function randomTurnsItems(opts: DatasetOptions): { name: string; items: DatasetItem[] } {
  if (!opts.tokenizer) throw new ConfigError('the random_multi_turn dataset builds prompts from a tokenizer\'s vocabulary: pass --tokenizer-path', 'TOKENIZER_REQUIRED');
  if (opts.maxTurns === undefined) throw new ConfigError('random_multi_turn needs --max-turns (the most user turns a conversation has)', 'INVALID_DATASET_OPTION');
  const minTurns = Math.max(1, opts.minTurns ?? 1);
  if (opts.maxTurns < minTurns) throw new ConfigError(`--max-turns (${opts.maxTurns}) must be >= --min-turns (${minTurns})`, 'INVALID_DATASET_OPTION');
  const min = opts.minPromptLength ?? opts.maxPromptLength ?? 1024;
  const max = Math.max(min, opts.maxPromptLength ?? min);
  const synth = TextSynth.for(opts.tokenizer);
  const rand = seeded(opts.seed ?? 0, 'random_multi_turn');
  const items: DatasetItem[] = [];
  for (let c = 0; c < (opts.number ?? 1000); c++) {
    const n = randInt(rand, minTurns, opts.maxTurns);
    const turns: DatasetTurn[] = [];
    for (let t = 0; t < n; t++) turns.push({ messages: [{ role: 'user', content: synth.text(randInt(rand, Math.max(1, min), max), rand).text }] });
    items.push({ turns });
  }
  return { name: 'random_multi_turn', items };
}

export async function* sweSmithItems(path: string): AsyncGenerator<DatasetItem> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw invalid(path, `invalid JSON (${(e as Error).message}); swe_smith reads the agentic_dataset.json that evalscope's build_swe_smith_dataset.py writes`);
  }
  const conversations = (data as { conversations?: unknown } | null)?.conversations;
  if (!Array.isArray(conversations)) throw invalid(path, 'expected {"conversations": [[{"messages": [...], "prompt_tokens": n}, ...], ...]} (agentic_dataset.json from evalscope\'s build_swe_smith_dataset.py)');
  for (let c = 0; c < conversations.length; c++) {
    const conv = conversations[c];
    if (!Array.isArray(conv) || conv.length === 0) continue;
    const where = `${path}: conversation ${c + 1}`;
    const turns = conv.map((t, i): DatasetTurn => {
      const msgs = (t as { messages?: unknown } | null)?.messages;
      if (!Array.isArray(msgs)) throw invalid(where, `turn ${i + 1} needs "messages" (an array)`);
      return { messages: msgs.map((m, j) => toTurnMessage(m, where, j)) };
    });
    const item: DatasetItem = { turns };
    const last = (conv.at(-1) as { prompt_tokens?: unknown }).prompt_tokens;
    if (typeof last === 'number') item.meta = { promptTokens: last };
    yield item;
  }
}
