/**
 * Hugging Face tokenizer.json loading through @huggingface/tokenizers (pure JS, offline).
 */
import { readFile } from 'node:fs/promises';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { ConfigError } from '../errors.ts';
import { compileChatTemplate, type ChatTemplateContext } from './chat-template.ts';
import type { Tokenizer } from './types.ts';
import type { TokenizerFiles } from './resolve.ts';

type Json = Record<string, unknown>;

async function readJson(path: string, what: string): Promise<Json> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read ${what} ${path}: ${(err as Error).message}`, 'TOKENIZER_NOT_FOUND', { cause: err });
  }
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not a JSON object');
    return value as Json;
  } catch (err) {
    throw new ConfigError(`${path}: not a valid ${what}: ${(err as Error).message}`, 'INVALID_TOKENIZER', { cause: err });
  }
}

/** A special-token entry of tokenizer_config.json: a string or an AddedToken object `{content}`. */
function tokenText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as Json).content === 'string') return (value as Json).content as string;
  return undefined;
}

/** The template text from tokenizer_config.json's `chat_template` (string, or [{name, template}]). */
function pickTemplate(raw: unknown): string | undefined {
  if (typeof raw === 'string') return raw;
  if (Array.isArray(raw)) {
    const named = raw.filter((t): t is { name: string; template: string } =>
      !!t && typeof t === 'object' && typeof t.template === 'string');
    return (named.find((t) => t.name === 'default') ?? named[0])?.template;
  }
  return undefined;
}

export async function loadHfTokenizer(files: TokenizerFiles): Promise<Tokenizer> {
  const json = await readJson(files.tokenizerJson, 'tokenizer.json');
  const config = files.configJson ? await readJson(files.configJson, 'tokenizer_config.json') : {};
  let inner: HfTokenizer;
  try {
    inner = new HfTokenizer(json, config);
  } catch (err) {
    throw new ConfigError(
      `${files.tokenizerJson}: cannot build a tokenizer from it: ${(err as Error).message}`,
      'INVALID_TOKENIZER',
      { cause: err },
    );
  }

  let template = pickTemplate(config.chat_template);
  if (files.chatTemplateFile) template = await readFile(files.chatTemplateFile, 'utf8');
  const specialTokens: ChatTemplateContext = {};
  for (const key of ['bos_token', 'eos_token', 'unk_token', 'pad_token', 'sep_token', 'cls_token', 'mask_token']) {
    const text = tokenText(config[key]);
    if (text !== undefined) specialTokens[key] = text;
  }
  if (Array.isArray(config.additional_special_tokens)) {
    specialTokens.additional_special_tokens = config.additional_special_tokens.map(tokenText).filter((t) => t !== undefined);
  }

  const vocab = inner.get_vocab(true);
  let vocabSize = 0;
  for (const id of vocab.values()) vocabSize = Math.max(vocabSize, id + 1);
  let ordinary: number[] | undefined;

  const tokenizer: Tokenizer = {
    name: files.name,
    vocabSize,
    encode: (text) => (text === '' ? [] : inner.encode(text, { add_special_tokens: false }).ids),
    decode: (ids) => (ids.length === 0 ? '' : inner.decode(ids, { skip_special_tokens: false })),
    count: (text) => (text === '' ? 0 : inner.encode(text, { add_special_tokens: false }).ids.length),
    ordinaryIds() {
      if (!ordinary) {
        const added = inner.get_added_tokens_decoder();
        ordinary = [];
        for (const [token, id] of vocab) {
          if (added.has(id) || /^<0x[0-9A-Fa-f]{2}>$/.test(token)) continue;
          ordinary.push(id);
        }
        ordinary.sort((a, b) => a - b);
      }
      return ordinary;
    },
  };
  if (template !== undefined) {
    const render = compileChatTemplate(template, files.configJson ?? files.chatTemplateFile ?? files.tokenizerJson);
    tokenizer.applyChatTemplate = (messages, opts) =>
      render(messages, { ...specialTokens, add_generation_prompt: opts?.addGenerationPrompt ?? true });
  }
  return tokenizer;
}
