/**
 * Tokenizers, loaded on the host (never inside a VU) and only from local files: llmperf never downloads.
 *
 * A spec is one of
 *   - a folder holding `tokenizer.json` (+ optional `tokenizer_config.json` / `chat_template.jinja`),
 *   - a path to a `tokenizer.json` file (its config is looked up beside it),
 *   - `tiktoken:<encoding>` (o200k_base, cl100k_base, p50k_base, p50k_edit, r50k_base, gpt2) or
 *     `tiktoken:<openai model>` (gpt-4o, gpt-4, ...): the ranks ship inside js-tiktoken,
 *   - a hub model id (`Qwen/Qwen2.5-7B-Instruct`) that is already in the local Hugging Face or
 *     ModelScope cache.
 *
 * Counting convention: `encode`/`count` never add special tokens (no BOS/EOS): they measure the text
 * itself. A chat template's own tokens are counted by encoding what `applyChatTemplate` renders.
 */
import { resolveTokenizerPath } from './resolve.ts';
import { loadHfTokenizer } from './hf.ts';
import { loadTiktoken } from './tiktoken.ts';
import type { Tokenizer } from './types.ts';

export type { Tokenizer };

/** One cache per process for what loadTokenizer returns, keyed by the resolved spec. */
const cache = new Map<string, Promise<Tokenizer>>();

/**
 * Loads (once per resolved spec) the tokenizer named by `spec`; relative paths resolve against
 * `baseDir` (default: the current directory). Throws ConfigError when nothing usable is found.
 */
export function loadTokenizer(spec: string, baseDir: string = process.cwd()): Promise<Tokenizer> {
  const trimmed = spec.trim();
  if (/^tiktoken:/i.test(trimmed)) {
    const key = trimmed.toLowerCase();
    let hit = cache.get(key);
    if (!hit) {
      hit = loadTiktoken(trimmed.slice('tiktoken:'.length).trim());
      cache.set(key, hit);
      hit.catch(() => cache.delete(key));
    }
    return hit;
  }
  let resolved: ReturnType<typeof resolveTokenizerPath>;
  try {
    resolved = resolveTokenizerPath(trimmed, baseDir);
  } catch (err) {
    return Promise.reject(err);
  }
  const key = `file:${resolved.tokenizerJson}`;
  let hit = cache.get(key);
  if (!hit) {
    hit = loadHfTokenizer(resolved);
    cache.set(key, hit);
    hit.catch(() => cache.delete(key));
  }
  return hit;
}

/** Forgets every loaded tokenizer (tests; long-lived processes that reload files). */
export function clearTokenizerCache(): void {
  cache.clear();
}
