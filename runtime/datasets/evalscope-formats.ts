/**
 * evalscope perf's other text datasets (its perf/plugin/datasets), read from a local copy. Each
 * reader yields items in file order; `path:line: …` ConfigErrors for records it cannot use.
 *
 * - share_gpt_zh / share_gpt_en  swift/sharegpt's common_zh_70k.jsonl / common_en_70k.jsonl:
 *     {"conversation": [{"human": ..., "assistant": ...}, ...]} a line -> messages user/assistant/...,
 *     ending with a user turn (a trailing assistant answer is dropped; empty human turns skipped).
 *     The length filter looks at the last user turn, as evalscope's.
 * - custom      evalscope's CustomDatasetPlugin: every line, trimmed, is a text prompt (no JSON).
 * - embedding   texts to embed: .txt (a line each), .json (an array of strings or of objects with
 *     "text", "input", "sentence" or "content"), .jsonl (such a string or object a line).
 * - embedding_batch  the same texts, `batchSize` (default 8) to a request: body {input: [...]}; the
 *     length filter applies to each text before batching, as evalscope's.
 * - rerank      .json (an array), .jsonl or .txt (a JSON object a line) of {"query", "documents"}
 *     ("passages" or "texts" also accepted) -> body {query, documents}; records without both are skipped.
 */
import type { DatasetItem } from './types.ts';
import { asObject, invalid, parseJsonLine, readJsonRecords, readLines } from './read.ts';
import { extname } from 'node:path';

/** The text of a message content, for the length filter (text parts joined). */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p) => (p && typeof p === 'object' && typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : '')).join('');
  return '';
}

export async function* shareGptZhEnItems(path: string): AsyncGenerator<DatasetItem> {
  for await (const { line, text } of readLines(path)) {
    const where = `${path}:${line}`;
    const record = asObject(parseJsonLine(text, where), where);
    const conversation = record.conversation;
    if (!Array.isArray(conversation) || conversation.length === 0) continue;
    const messages: Array<{ role: string; content: string }> = [];
    for (const t of conversation) {
      const turn = (t ?? {}) as { human?: unknown; assistant?: unknown };
      const human = typeof turn.human === 'string' ? turn.human.trim() : '';
      const assistant = typeof turn.assistant === 'string' ? turn.assistant.trim() : '';
      if (!human) continue;
      messages.push({ role: 'user', content: human });
      if (assistant) messages.push({ role: 'assistant', content: assistant });
    }
    if (messages.at(-1)?.role === 'assistant') messages.pop();
    if (messages.length) yield { messages };
  }
}

/** share_gpt_*: the length filter measures the last (user) turn. */
export function lastMessageText(item: DatasetItem): string {
  return textOf(item.messages?.at(-1)?.content);
}

export async function* customItems(path: string): AsyncGenerator<DatasetItem> {
  for await (const { text } of readLines(path)) {
    const prompt = text.trim();
    if (prompt) yield { prompt };
  }
}

function embeddingText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    for (const k of ['text', 'input', 'sentence', 'content']) if (typeof o[k] === 'string' && o[k]) return o[k] as string;
  }
  return undefined;
}

/** The texts of an embedding dataset file, by its extension. */
export async function* embeddingTexts(path: string): AsyncGenerator<string> {
  const ext = extname(path).toLowerCase();
  if (ext === '.txt') {
    for await (const { text } of readLines(path)) if (text.trim()) yield text.trim();
  } else if (ext === '.json' || ext === '.jsonl') {
    for await (const { value } of readJsonRecords(path)) {
      const t = embeddingText(value);
      if (t) yield t;
    }
  } else {
    throw invalid(path, 'an embedding dataset is .txt (a text a line), .json or .jsonl (strings or objects with "text")');
  }
}

export async function* embeddingItems(path: string): AsyncGenerator<DatasetItem> {
  for await (const prompt of embeddingTexts(path)) yield { prompt };
}

/** Groups `texts` (already length-filtered) into requests of `batchSize`; the last one may be smaller. */
export function batchItems(texts: readonly string[], batchSize: number): DatasetItem[] {
  const out: DatasetItem[] = [];
  for (let i = 0; i < texts.length; i += batchSize) out.push({ body: { input: texts.slice(i, i + batchSize) } });
  return out;
}

export async function* rerankItems(path: string): AsyncGenerator<DatasetItem> {
  const ext = extname(path).toLowerCase();
  if (ext !== '.json' && ext !== '.jsonl' && ext !== '.txt') throw invalid(path, 'a rerank dataset is .json (an array), .jsonl or .txt (a JSON object a line) of {"query", "documents"}');
  for await (const { value } of readJsonRecords(path)) {
    if (!value || typeof value !== 'object' || Array.isArray(value)) continue;
    const o = value as Record<string, unknown>;
    const query = typeof o.query === 'string' ? o.query : '';
    let documents = o.documents;
    if (!Array.isArray(documents) || documents.length === 0) documents = Array.isArray(o.passages) && o.passages.length ? o.passages : o.texts;
    if (!query || !Array.isArray(documents) || documents.length === 0) continue;
    yield { body: { query, documents } };
  }
}
