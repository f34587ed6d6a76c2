/**
 * The file formats evalscope perf reads, and two more. Each reader yields items in file order and
 * throws `path:line: …` ConfigErrors for records it cannot use; length filtering happens later.
 *
 * - openqa      HC3-Chinese open_qa.jsonl: {"question", "human_answers", "chatgpt_answers"}; prompt = question.
 * - longalpaca  LongAlpaca-12k.json: a JSON array (or JSONL) of {"instruction", "output", "file"}; prompt = instruction.
 * - line_by_line  one prompt a line: plain text, or a JSON array of messages, or a JSON request body
 *                 (with jsonLines: false, every line is plain text, as evalscope <= 1.6 reads it)
 *               (an object with "messages" or "prompt"). A line that starts with [ or { but is not
 *               valid JSON is plain text ("[INST] hi" stays a prompt).
 * - sharegpt    a JSON array (or JSONL) of {"conversations": [{"from": "human"|"gpt"|..., "value"}]}; prompt
 *               = first human turn, outputTokens = the reply's length (with a tokenizer, as vLLM does),
 *               meta.conversation = the whole conversation as chat messages.
 * - jsonl       any JSONL; the prompt is the `field` (default "prompt"; dotted paths work): a string, or an
 *               array of messages. A numeric output_tokens / max_tokens becomes the outputTokens hint.
 */
import type { Tokenizer } from '../tokenizers/types.ts';
import type { ChatMessage, DatasetItem } from './types.ts';
import { asObject, invalid, parseJsonLine, readJsonRecords, readLines } from './read.ts';

/** `value` as chat messages, or a ConfigError at `where`. */
export function toMessages(value: unknown, where: string): ChatMessage[] {
  if (!Array.isArray(value) || value.length === 0) throw invalid(where, 'messages must be a non-empty array');
  return value.map((m, i) => {
    const msg = m as Record<string, unknown> | null;
    if (!msg || typeof msg !== 'object' || typeof msg.role !== 'string' || typeof msg.content !== 'string') {
      throw invalid(where, `messages[${i}] must be {"role": string, "content": string}`);
    }
    return { role: msg.role, content: msg.content };
  });
}

function stringField(record: Record<string, unknown>, key: string, where: string, example: string): string {
  const value = record[key];
  if (typeof value !== 'string') {
    const keys = Object.keys(record).slice(0, 8).join(', ') || 'none';
    throw invalid(where, `missing "${key}" (a string); this record has keys: ${keys}. Expected ${example}`);
  }
  return value;
}

export async function* openqaItems(path: string): AsyncGenerator<DatasetItem> {
  for await (const { line, text } of readLines(path)) {
    const where = `${path}:${line}`;
    const record = asObject(parseJsonLine(text, where), where);
    const prompt = stringField(record, 'question', where, '{"question": ..., "human_answers": [...], "chatgpt_answers": [...]}').trim();
    if (prompt) yield { prompt };
  }
}

export async function* longalpacaItems(path: string): AsyncGenerator<DatasetItem> {
  for await (const { where, value } of readJsonRecords(path)) {
    const record = asObject(value, where);
    const prompt = stringField(record, 'instruction', where, '{"instruction": ..., "output": ..., "file": ...}').trim();
    if (prompt) yield { prompt };
  }
}

/** `jsonLines` false: every line is a plain-text prompt, whatever it looks like (evalscope <= 1.6). */
export async function* lineByLineItems(path: string, jsonLines = true): AsyncGenerator<DatasetItem> {
  for await (const { line, text } of readLines(path)) {
    const where = `${path}:${line}`;
    const trimmed = text.trim();
    let parsed: unknown;
    if (jsonLines && (trimmed.startsWith('[') || trimmed.startsWith('{'))) {
      try {
        parsed = JSON.parse(trimmed);
      } catch {
        parsed = undefined; // not JSON: a plain-text prompt that happens to start with a bracket
      }
    }
    if (parsed === undefined) {
      yield { prompt: trimmed };
    } else if (Array.isArray(parsed)) {
      yield { messages: toMessages(parsed, where) };
    } else if (parsed && typeof parsed === 'object') {
      const body = parsed as Record<string, unknown>;
      if (!Array.isArray(body.messages) && typeof body.prompt !== 'string' && !Array.isArray(body.prompt)) {
        throw invalid(where, 'a JSON object line is a request body and needs "messages" (an array) or "prompt"');
      }
      if (Array.isArray(body.messages)) toMessages(body.messages, where);
      yield { body };
    } else {
      yield { prompt: trimmed };
    }
  }
}

const ROLES: Record<string, string> = {
  human: 'user', user: 'user', gpt: 'assistant', chatgpt: 'assistant', assistant: 'assistant',
  bard: 'assistant', bing: 'assistant', model: 'assistant', system: 'system',
};

export async function* sharegptItems(path: string, tokenizer?: Tokenizer): AsyncGenerator<DatasetItem> {
  for await (const { where, value } of readJsonRecords(path)) {
    const record = asObject(value, where);
    const turns = record.conversations;
    if (!Array.isArray(turns)) throw invalid(where, 'missing "conversations" (an array of {"from": "human"|"gpt", "value": string})');
    const conversation: ChatMessage[] = turns.map((t, i) => {
      const turn = (t ?? {}) as Record<string, unknown>;
      const from = typeof turn.from === 'string' ? turn.from : turn.role;
      const content = typeof turn.value === 'string' ? turn.value : turn.content;
      const role = typeof from === 'string' ? ROLES[from.toLowerCase()] : undefined;
      if (!role || typeof content !== 'string') {
        throw invalid(where, `conversations[${i}] must be {"from": "human"|"gpt"|"system", "value": string}`);
      }
      return { role, content };
    });
    const first = conversation.findIndex((m) => m.role === 'user' && m.content.trim() !== '');
    if (first < 0) continue; // nothing to ask: skipped, like vLLM's ShareGPT sampler
    const item: DatasetItem = { prompt: conversation[first]!.content, meta: { conversation } };
    if (typeof record.id === 'string') item.meta!.id = record.id;
    const reply = conversation[first + 1];
    if (tokenizer && reply?.role === 'assistant' && reply.content) item.outputTokens = tokenizer.count(reply.content);
    yield item;
  }
}

function pick(record: Record<string, unknown>, field: string): unknown {
  if (Object.hasOwn(record, field)) return record[field];
  let value: unknown = record;
  for (const key of field.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

export async function* jsonlItems(path: string, field = 'prompt'): AsyncGenerator<DatasetItem> {
  for await (const { line, text } of readLines(path)) {
    const where = `${path}:${line}`;
    const record = asObject(parseJsonLine(text, where), where);
    const value = pick(record, field);
    let item: DatasetItem;
    if (typeof value === 'string') item = { prompt: value };
    else if (Array.isArray(value)) item = { messages: toMessages(value, where) };
    else {
      const keys = Object.keys(record).slice(0, 8).join(', ') || 'none';
      throw invalid(where, `field "${field}" is missing or neither a string nor a messages array (keys: ${keys}); pick the field with the dataset's field option`);
    }
    const out = record.output_tokens ?? record.max_tokens;
    if (typeof out === 'number' && Number.isInteger(out) && out > 0) item.outputTokens = out;
    yield item;
  }
}
