/**
 * `tiktoken:<encoding>` tokenizers through js-tiktoken. The BPE ranks ship inside the js-tiktoken
 * package and are imported from there (offline); each encoding is imported only when asked for.
 */
import { Tiktoken, getEncodingNameForModel, type TiktokenBPE, type TiktokenModel } from 'js-tiktoken/lite';
import { ConfigError } from '../errors.ts';
import type { Tokenizer } from './types.ts';

type Ranks = { default: TiktokenBPE };

/** Explicit imports (not a template string) so bundlers and `packages: external` resolve them. */
const ENCODINGS = {
  o200k_base: () => import('js-tiktoken/ranks/o200k_base') as Promise<Ranks>,
  cl100k_base: () => import('js-tiktoken/ranks/cl100k_base') as Promise<Ranks>,
  p50k_base: () => import('js-tiktoken/ranks/p50k_base') as Promise<Ranks>,
  p50k_edit: () => import('js-tiktoken/ranks/p50k_edit') as Promise<Ranks>,
  r50k_base: () => import('js-tiktoken/ranks/r50k_base') as Promise<Ranks>,
  gpt2: () => import('js-tiktoken/ranks/gpt2') as Promise<Ranks>,
} satisfies Record<string, () => Promise<Ranks>>;

type EncodingName = keyof typeof ENCODINGS;

function encodingFor(name: string): EncodingName {
  if (Object.hasOwn(ENCODINGS, name)) return name as EncodingName;
  try {
    // Also accept an OpenAI model name: tiktoken:gpt-4o -> o200k_base.
    const mapped = getEncodingNameForModel(name as TiktokenModel);
    if (Object.hasOwn(ENCODINGS, mapped)) return mapped;
  } catch {
    /* not a model name either: reported below */
  }
  throw new ConfigError(
    `unknown tiktoken encoding "${name}": the encodings are ${Object.keys(ENCODINGS).join(', ')} ` +
      `(an OpenAI model name such as gpt-4o also works). Example: --tokenizer-path tiktoken:o200k_base`,
    'UNKNOWN_TOKENIZER',
  );
}

/** Ids present in the ranks (some encodings have gaps), in ascending order, and the highest id + 1. */
function rankIds(ranks: TiktokenBPE): { ids: number[]; size: number } {
  const ids: number[] = [];
  for (const line of ranks.bpe_ranks.split('\n')) {
    if (!line) continue;
    const parts = line.split(' ');
    const offset = Number.parseInt(parts[1] ?? '', 10);
    for (let i = 2; i < parts.length; i++) ids.push(offset + i - 2);
  }
  ids.sort((a, b) => a - b);
  let size = (ids.at(-1) ?? -1) + 1;
  for (const id of Object.values(ranks.special_tokens)) size = Math.max(size, id + 1);
  return { ids: [...new Set(ids)], size };
}

export async function loadTiktoken(name: string): Promise<Tokenizer> {
  const encoding = encodingFor(name);
  const ranks = (await ENCODINGS[encoding]()).default;
  const bpe = new Tiktoken(ranks);
  const { ids, size } = rankIds(ranks);
  // allowedSpecial = [] and disallowedSpecial = []: "<|endoftext|>" inside a prompt is plain text,
  // as it is for a server that tokenizes user content; never an error.
  const encode = (text: string): number[] => bpe.encode(text, [], []);
  return {
    name: `tiktoken:${encoding}`,
    vocabSize: size,
    encode,
    decode: (tokens) => bpe.decode(tokens),
    count: (text) => encode(text).length,
    ordinaryIds: () => ids,
  };
}
