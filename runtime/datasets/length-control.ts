/**
 * evalscope's input-length control for real-text datasets (its --dataset-args target_input_len,
 * input_len_mode, prefix_file, prefix_role), for openqa, longalpaca, line_by_line (plain-text lines)
 * and share_gpt_zh / share_gpt_en. It needs a tokenizer; lengths are bare content tokens (no chat
 * template).
 *
 * - target_input_len N: each prompt is cut to its first N tokens (decoded back); a shorter one is
 *   kept ("cap", the default) or dropped ("drop"). It replaces the --min/--max-prompt-length filter.
 *   share_gpt_*: the last user turn is fitted.
 * - prefix_file: a long text read once; each request gets the slice of it (repeated when it is short)
 *   that fills its budget, N minus the tokens of every message, so the whole input is N tokens: as a
 *   leading system message (prefix_role "system", the default, when messages are sent) or in front of
 *   the first message / the prompt (prefix_role "user", or a completions prompt). share_gpt_*: the
 *   whole conversation is measured; one already over N is dropped, never cut.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../errors.ts';
import type { Tokenizer } from '../tokenizers/types.ts';
import type { DatasetItem } from './types.ts';

export interface LengthControl {
  targetInputLen: number;
  inputLenMode?: 'cap' | 'drop';
  prefixFile?: string;
  prefixRole?: 'system' | 'user';
  /** requests carry messages (a chat template applies): the prefix can be a system message */
  chat?: boolean;
}

/** Kinds length control applies to. */
export const LENGTH_CONTROL_KINDS = ['openqa', 'longalpaca', 'line_by_line', 'share_gpt_zh', 'share_gpt_en', 'share_gpt'];

export function checkLengthControl(c: LengthControl, kind: string, tokenizer: Tokenizer | undefined): void {
  if (!LENGTH_CONTROL_KINDS.includes(kind)) throw new ConfigError(`target_input_len / prefix_file (--dataset-args) apply to ${LENGTH_CONTROL_KINDS.join(', ')}, not ${kind}`, 'INVALID_DATASET_OPTION');
  if (!Number.isInteger(c.targetInputLen) || c.targetInputLen <= 0) throw new ConfigError(`target_input_len must be an integer > 0, got ${c.targetInputLen}`, 'INVALID_DATASET_OPTION');
  if (c.inputLenMode !== undefined && c.inputLenMode !== 'cap' && c.inputLenMode !== 'drop') throw new ConfigError(`input_len_mode: "cap" or "drop", got ${JSON.stringify(c.inputLenMode)}`, 'INVALID_DATASET_OPTION');
  if (c.prefixRole !== undefined && c.prefixRole !== 'system' && c.prefixRole !== 'user') throw new ConfigError(`prefix_role: "system" or "user", got ${JSON.stringify(c.prefixRole)}`, 'INVALID_DATASET_OPTION');
  if (c.prefixFile !== undefined && c.inputLenMode === 'drop') {
    throw new ConfigError("prefix_file does not combine with input_len_mode 'drop': 'drop' keeps only prompts that already fill target_input_len, so no budget is left for the prefix; use 'cap'", 'INVALID_DATASET_OPTION');
  }
  if (!tokenizer) throw new ConfigError('target_input_len needs a tokenizer: pass --tokenizer-path', 'TOKENIZER_REQUIRED');
}

/** The slice of `pool` (repeated as needed) that is `budget` tokens, decoded. */
function prefixText(pool: readonly number[], budget: number, tok: Tokenizer): string {
  if (budget <= 0) return '';
  const ids: number[] = [];
  while (ids.length < budget) ids.push(...pool.slice(0, budget - ids.length));
  return tok.decode(ids);
}

const textOf = (c: unknown): string => (typeof c === 'string' ? c : '');

/**
 * Applies the control to the items read (before any other filter); `baseDir` resolves prefix_file.
 * Items with a request body (JSON lines) are refused, as evalscope does.
 */
export function applyLengthControl(items: DatasetItem[], c: LengthControl, tok: Tokenizer, baseDir: string, warn: (m: string) => void): DatasetItem[] {
  const target = c.targetInputLen;
  const mode = c.inputLenMode ?? 'cap';
  let pool: number[] | undefined;
  if (c.prefixFile !== undefined) {
    const file = resolve(baseDir, c.prefixFile);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new ConfigError(`prefix_file ${file} not found (--dataset-args)`, 'DATASET_NOT_FOUND');
    }
    pool = tok.encode(text);
    if (!pool.length) throw new ConfigError(`prefix_file ${file} is empty`, 'INVALID_DATASET');
    if (pool.length < target) warn(`prefix_file has ${pool.length} tokens, fewer than target_input_len ${target}: it is repeated to fill the budget`);
  }
  const fit = (text: string): string | null => {
    const ids = tok.encode(text);
    if (ids.length > target) return tok.decode(ids.slice(0, target));
    return ids.length < target && mode === 'drop' ? null : text;
  };
  const systemPrefix = c.prefixRole !== 'user' && c.chat !== false;
  const out: DatasetItem[] = [];
  for (const item of items) {
    if (item.body) throw new ConfigError('target_input_len / prefix_file apply to plain-text prompts: a line_by_line JSON line (messages or a request body) cannot be fitted', 'INVALID_DATASET_OPTION');
    if (item.messages) {
      // share_gpt_*: the conversation
      const messages = item.messages.map((m) => ({ ...m }));
      if (pool) {
        const used = messages.reduce((n, m) => n + tok.count(textOf(m.content)), 0);
        if (used > target) continue; // never cut a conversation
        const prefix = prefixText(pool, target - used, tok);
        if (prefix && systemPrefix) messages.unshift({ role: 'system', content: prefix });
        else if (prefix) messages[0] = { ...messages[0]!, content: prefix + textOf(messages[0]!.content) };
      } else {
        const last = fit(textOf(messages.at(-1)?.content));
        if (last === null) continue;
        messages[messages.length - 1] = { ...messages.at(-1)!, content: last };
      }
      out.push({ ...item, messages });
      continue;
    }
    const prompt = fit(item.prompt ?? '');
    if (prompt === null) continue;
    if (!pool) {
      out.push({ ...item, prompt });
      continue;
    }
    const prefix = prefixText(pool, target - tok.count(prompt), tok);
    if (prefix && systemPrefix) out.push({ ...item, prompt: undefined, messages: [{ role: 'system', content: prefix }, { role: 'user', content: prompt }] });
    else out.push({ ...item, prompt: prefix + prompt });
  }
  return out.map((i) => Object.fromEntries(Object.entries(i).filter(([, v]) => v !== undefined)) as DatasetItem);
}
