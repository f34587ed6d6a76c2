/**
 * What `llmperf perf` reads before it runs: --prompt (text or @file), --query-template (JSON or
 * @file), the API (--api) and the request URL (--url with the endpoint path evalscope adds).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../errors.ts';
import { BUILTIN_APIS, isPluginSpec } from '../llm/registry.ts';
import { apiKind, type PerfOptions } from './config.ts';
import type { PerfEndpoint } from './script.ts';

/** Reads `@path` (relative to baseDir) or returns the text itself. */
export function textOrFile(value: string, flag: string, baseDir: string): string {
  if (!value.startsWith('@')) return value;
  const file = resolve(baseDir, value.slice(1));
  if (!existsSync(file)) throw new ConfigError(`${flag} ${value}: file not found: ${file}`);
  return readFileSync(file, 'utf8');
}

export function readPrompt(o: PerfOptions, baseDir: string): string | undefined {
  if (o.prompt === undefined) return undefined;
  const text = textOrFile(o.prompt, '--prompt', baseDir);
  if (text === '') throw new ConfigError('--prompt is empty: give the prompt text or @path/to/prompt.txt');
  return text;
}

export function readTemplate(o: PerfOptions, baseDir: string): Record<string, unknown> | undefined {
  if (o.queryTemplate === undefined) return undefined;
  const text = textOrFile(o.queryTemplate, '--query-template', baseDir);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`--query-template${o.queryTemplate.startsWith('@') ? ' ' + o.queryTemplate : ''}: not valid JSON (${(e as Error).message})`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new ConfigError('--query-template must be a JSON object (the request body, with "{prompt}" / "{model}" placeholders or a "messages" list)');
  return v as Record<string, unknown>;
}

const UNSUPPORTED_APIS: Record<string, string> = {
  local: 'llmperf does not load models itself: serve the model (vLLM, SGLang, llama.cpp, ...) and pass its --url',
  local_vllm: 'llmperf does not start vLLM: start `vllm serve <model>` yourself and pass --url http://127.0.0.1:8000/v1/chat/completions',
  custom: "evalscope's custom API is a Python class: write an llmperf API plugin (a .ts file, see types/api-plugin.d.ts) and pass its path to --api",
};

export function checkApi(api: string): void {
  const why = UNSUPPORTED_APIS[api];
  if (why) throw new ConfigError(`--api ${api}: ${why}`, 'UNKNOWN_API');
  if (!Object.hasOwn(BUILTIN_APIS, api) && !isPluginSpec(api)) {
    throw new ConfigError(`--api ${api}: use openai, openai_responses, openai_embedding, openai_rerank, dashscope, or the path of an API plugin (.ts/.js, see types/api-plugin.d.ts)`, 'UNKNOWN_API');
  }
}

/**
 * chat unless --no-apply-chat-template or the URL names the completions endpoint; completions too with
 * --tokenize-prompt and for speed_benchmark (evalscope moves both to /v1/completions).
 */
export function endpointOf(o: PerfOptions, url: string | undefined): PerfEndpoint {
  if (o.tokenizePrompt && apiKind(o.api) === 'generate') return 'completions';
  if (o.dataset.startsWith('speed_benchmark') && apiKind(o.api) === 'generate' && o.applyChatTemplate !== true) return 'completions';
  if (o.applyChatTemplate === false) return 'completions';
  if (o.applyChatTemplate === true) return 'chat';
  const path = url ? safePath(url) : '';
  return /\/completions$/.test(path) && !/\/chat\/completions$/.test(path) ? 'completions' : 'chat';
}

function safePath(url: string): string {
  try {
    return new URL(url).pathname.replace(/\/+$/, '');
  } catch {
    throw new ConfigError(`--url ${JSON.stringify(url)} is not a valid URL: give e.g. http://127.0.0.1:8000/v1/chat/completions`);
  }
}

/** evalscope's endpoint paths by API (what a base URL gets appended), and the paths it takes as full. */
const EVALSCOPE_PATHS: Record<string, string> = { embed: 'embeddings', rerank: 'reranks', responses: 'responses' };
const KNOWN_ENDPOINTS = /\/(chat\/completions|completions|responses|embeddings|reranks|rerank)$/;

/**
 * The URL requests go to, as the API adapter decides it (runtime/llm/openai.ts endpointUrl: an OpenAI
 * URL without an endpoint path gets /chat/completions or /completions appended, as evalscope does;
 * DashScope gets its generation route); `note` says when a base URL was completed. The embedding,
 * rerank and Responses APIs follow evalscope's map (/embeddings, /reranks, /responses); the Responses
 * API turns a …/chat/completions URL into …/responses; --tokenize-prompt and speed_benchmark turn it
 * into …/completions.
 */
export function requestUrl(o: PerfOptions, url: string, endpoint: PerfEndpoint): { url: string; note?: string } {
  const path = safePath(url);
  if (!/^https?:$/.test(new URL(url).protocol)) throw new ConfigError(`--url ${url}: use an http:// or https:// URL`);
  const kind = apiKind(o.api);
  const stripped = url.replace(/\/+$/, '');
  if (kind !== 'generate') {
    if (kind === 'responses' && path.endsWith('/chat/completions')) {
      const full = stripped.slice(0, -'chat/completions'.length) + 'responses';
      return { url: full, note: `OpenAI Responses API selected: using ${full} (as evalscope does)` };
    }
    if (KNOWN_ENDPOINTS.test(path)) return { url: stripped };
    const full = `${stripped}/${EVALSCOPE_PATHS[kind]}`;
    return { url: full, note: `--url ${url} has no endpoint path: using ${full} (give the full URL to choose another)` };
  }
  if (endpoint === 'completions' && path.endsWith('/chat/completions') && o.api === 'openai' && (o.tokenizePrompt || o.dataset.startsWith('speed_benchmark'))) {
    const full = stripped.slice(0, -'chat/completions'.length) + 'completions';
    const why = o.tokenizePrompt ? '--tokenize-prompt sends token ids' : `${o.dataset} measures raw prompt lengths`;
    return { url: full, note: `${why}: using ${full} instead of the chat endpoint (as evalscope does)` };
  }
  const adapter = Object.hasOwn(BUILTIN_APIS, o.api) ? BUILTIN_APIS[o.api] : undefined;
  const full = adapter?.endpointUrl?.(url, endpoint) ?? url;
  if (full === url || o.api !== 'openai') return { url: full };
  return { url: full, note: `--url ${url} has no endpoint path: using ${full} (give the full URL to choose another)` };
}
