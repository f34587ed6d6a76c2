/**
 * Synthetic datasets (no file): `random` (evalscope perf's random dataset) and `shared_prefix`
 * (prefix-cache tests, as SGLang's generated-shared-prefix). Text comes from TextSynth (synth.ts), so
 * the same tokenizer and seed give the same prompts everywhere.
 */
import { ConfigError } from '../errors.ts';
import type { DatasetItem, DatasetOptions } from './types.ts';
import { randInt, seeded, shuffle } from './rng.ts';
import { TextSynth } from './synth.ts';

/**
 * `number` prompts (default 1000). Each is `prefixLength` shared tokens followed by a length drawn
 * uniformly from [minPromptLength, maxPromptLength] (inclusive); as in evalscope the prefix is not part
 * of the drawn length. Give one limit for a fixed length, both for a range (default 1024).
 * Needs a tokenizer: the prompts are made of its vocabulary and measured with it.
 */
export function randomItems(opts: DatasetOptions): { name: string; items: DatasetItem[] } {
  const tokenizer = opts.tokenizer;
  if (!tokenizer) {
    throw new ConfigError(
      'the random dataset builds prompts from a tokenizer\'s vocabulary: pass --tokenizer-path (a folder with ' +
        'tokenizer.json, or tiktoken:o200k_base) or the tokenizer option',
      'TOKENIZER_REQUIRED',
    );
  }
  const min = opts.minPromptLength ?? opts.maxPromptLength ?? 1024;
  const max = opts.maxPromptLength ?? min;
  if (min < 1) throw new ConfigError('random dataset: --min-prompt-length must be at least 1 token', 'INVALID_DATASET_OPTION');
  const number = opts.number ?? 1000;
  if (number < 1) throw new ConfigError('random dataset: --number must be at least 1', 'INVALID_DATASET_OPTION');
  const seed = opts.seed ?? 0;
  const prefixLength = opts.prefixLength ?? 0;

  const synth = TextSynth.for(tokenizer);
  const prefix = prefixLength > 0 ? synth.text(prefixLength, seeded(seed, 'random-prefix')) : undefined;
  const rand = seeded(seed, 'random');
  const items: DatasetItem[] = [];
  for (let i = 0; i < number; i++) {
    const length = randInt(rand, min, max);
    const text = synth.text((prefix?.tokens ?? 0) + length, rand, prefix);
    items.push({ prompt: text.text, inputTokens: text.tokens });
  }
  return { name: 'random', items };
}

/**
 * `groups` × `promptsPerGroup` chat prompts: every prompt of a group has the same system prompt of
 * `prefixTokens` tokens, then its own user question of `suffixTokens` tokens. Items carry both
 * `messages` (system + user) and `prompt` (the two joined by a blank line), meta.group and meta.index,
 * and come in a seeded shuffled order so groups interleave, as real traffic does. Without a tokenizer
 * the lengths are estimates (one English word ≈ one token).
 */
export function sharedPrefixItems(opts: DatasetOptions): { name: string; items: DatasetItem[] } {
  const groups = opts.groups ?? 64;
  const perGroup = opts.promptsPerGroup ?? 16;
  const prefixTokens = opts.prefixTokens ?? 2048;
  const suffixTokens = opts.suffixTokens ?? 128;
  const seed = opts.seed ?? 0;
  if (groups < 1 || perGroup < 1) {
    throw new ConfigError(`shared_prefix dataset: groups (${groups}) and promptsPerGroup (${perGroup}) must be at least 1`, 'INVALID_DATASET_OPTION');
  }
  if (suffixTokens < 1) throw new ConfigError('shared_prefix dataset: suffixTokens must be at least 1', 'INVALID_DATASET_OPTION');

  const synth = TextSynth.for(opts.tokenizer);
  const items: DatasetItem[] = [];
  for (let g = 0; g < groups; g++) {
    const system = synth.text(prefixTokens, seeded(seed, 'shared-prefix-system', g));
    for (let j = 0; j < perGroup; j++) {
      const question = synth.text(suffixTokens, seeded(seed, 'shared-prefix-question', g, j));
      items.push({
        prompt: system.text ? `${system.text}\n\n${question.text}` : question.text,
        messages: [
          ...(system.text ? [{ role: 'system', content: system.text }] : []),
          { role: 'user', content: question.text },
        ],
        inputTokens: system.tokens + question.tokens,
        meta: { group: g, index: j },
      });
    }
  }
  return { name: 'shared_prefix', items: shuffle(items, seeded(seed, 'shared-prefix-order')) };
}
