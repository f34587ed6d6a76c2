/**
 * The API adapters of a run, by name: the built-ins (openai, dashscope, embedding, rerank,
 * responses, also under evalscope's names: openai_embedding, openai_rerank, openai_responses,
 * openai_response) and, when options.llm.api
 * (`--api`) is the path of a .ts/.js file, that API plugin: bundled with esbuild (platform node, ESM,
 * its imports included) into a temporary .mjs, imported on the host and checked for the adapter
 * shape (types/api-plugin.d.ts). The run's target phase resolves it once (runtime/engine/target.ts);
 * requests use the default adapter or pick a registered one by name (`llm.chat(p, { api: 'dashscope' })`).
 */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { importHostModule } from '../bundle/host-module.ts';
import { ConfigError } from '../errors.ts';
import type { ApiAdapter } from './api.ts';
import { dashscopeApi } from './dashscope.ts';
import { embeddingApi } from './embeddings.ts';
import { openaiApi } from './openai.ts';
import { rerankApi } from './rerank.ts';
import { responsesApi } from './responses.ts';

/**
 * Adapters llmperf ships, by name, evalscope's names included. An alias maps to the same adapter,
 * whose own name (the `api` tag, the stored `api` column, and what the I/O threads look up here)
 * is the short one: `--api openai_embedding` tags requests `api:embedding`.
 */
export const BUILTIN_APIS: Readonly<Record<string, ApiAdapter>> = {
  openai: openaiApi,
  dashscope: dashscopeApi,
  embedding: embeddingApi,
  openai_embedding: embeddingApi,
  rerank: rerankApi,
  openai_rerank: rerankApi,
  responses: responsesApi,
  openai_responses: responsesApi,
  openai_response: responsesApi,
};

/** The built-in names a user would pick (no aliases), for messages. */
export const BUILTIN_API_NAMES: readonly string[] = ['openai', 'dashscope', 'embedding', 'rerank', 'responses'];

const PLUGIN_FILE = /\.(?:[cm]?[jt]s)$/i;
const SHAPE = 'an API plugin must `export default { name, build(endpoint, params, ctx), parseEvent(data, event), parseBody(body), promptText(params) }` (see types/api-plugin.d.ts)';

/** True when `spec` names a plugin file rather than a built-in API. */
export function isPluginSpec(spec: string): boolean {
  return PLUGIN_FILE.test(spec) || spec.includes('/') || spec.includes('\\');
}

export class ApiRegistry {
  private constructor(
    private readonly byName: ReadonlyMap<string, ApiAdapter>,
    /** the adapter requests use unless they name another */
    readonly defaultName: string,
    /** the plugin file the default adapter came from, if it is a plugin */
    readonly pluginFile: string | undefined,
  ) {}

  /**
   * Resolves options.llm.api: a built-in name, or the path of a plugin file (tried relative to each
   * of `dirs` in order, e.g. the working directory then the script's folder). Unknown names and
   * broken plugins are a ConfigError that says what to give instead.
   */
  static async resolve(spec: string, dirs: readonly string[]): Promise<ApiRegistry> {
    const all = new Map(Object.entries(BUILTIN_APIS));
    if (all.has(spec)) return new ApiRegistry(all, spec, undefined);
    if (!isPluginSpec(spec)) {
      throw new ConfigError(`unknown API "${spec}": use ${BUILTIN_API_NAMES.join(', ')} (or evalscope's openai_embedding, openai_rerank, openai_responses), or the path of an API plugin (.ts/.js, see types/api-plugin.d.ts)`, 'UNKNOWN_API');
    }
    const candidates = isAbsolute(spec) ? [spec] : dirs.map((d) => resolve(d, spec));
    const file = candidates.find((f) => existsSync(f) && statSync(f).isFile()) ?? candidates[0]!;
    const plugin = await loadApiPlugin(file, spec);
    all.set(plugin.name, plugin);
    return new ApiRegistry(all, plugin.name, file);
  }

  /** Only the built-ins, openai by default (init code, which makes no requests). */
  static builtins(): ApiRegistry {
    return new ApiRegistry(new Map(Object.entries(BUILTIN_APIS)), 'openai', undefined);
  }

  get default(): ApiAdapter {
    return this.byName.get(this.defaultName)!;
  }

  /** The adapter called `name`; an unknown name throws an Error listing the registered ones. */
  get(name: string): ApiAdapter {
    const a = this.byName.get(name);
    if (!a) throw new Error(`unknown api "${name}": use one of ${this.names().join(', ')} (or load a plugin with --api path/to/plugin.ts)`);
    return a;
  }

  /** Whether the run's default adapter is a plugin (it also receives llm.embed / rerank / responses). */
  get defaultIsPlugin(): boolean {
    return this.pluginFile !== undefined;
  }

  names(): string[] {
    return [...this.byName.keys()];
  }
}

/** Loads and checks one API plugin file. */
export async function loadApiPlugin(file: string, spec = file): Promise<ApiAdapter> {
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new ConfigError(`API plugin not found: ${file} (from --api "${spec}"; an API is ${BUILTIN_API_NAMES.join(', ')} or the path of a .ts/.js plugin)`, 'API_PLUGIN_NOT_FOUND');
  }
  const value = await importHostModule(file, 'API plugin', 'INVALID_API_PLUGIN');
  return checkAdapter(value, file);
}

function checkAdapter(value: unknown, file: string): ApiAdapter {
  if (!value || typeof value !== 'object') throw new ConfigError(`API plugin ${file} has no default export: ${SHAPE}`, 'INVALID_API_PLUGIN');
  const p = value as Record<string, unknown>;
  if (typeof p.name !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(p.name)) {
    throw new ConfigError(`API plugin ${file}: "name" must be a string of letters, digits, _ . - (got ${JSON.stringify(p.name)}); ${SHAPE}`, 'INVALID_API_PLUGIN');
  }
  if (Object.hasOwn(BUILTIN_APIS, p.name)) {
    throw new ConfigError(`API plugin ${file}: the name "${p.name}" is taken by a built-in API; choose another`, 'INVALID_API_PLUGIN');
  }
  for (const fn of ['build', 'parseEvent', 'parseBody', 'promptText']) {
    if (typeof p[fn] !== 'function') throw new ConfigError(`API plugin ${file} (${p.name}): ${fn} must be a function; ${SHAPE}`, 'INVALID_API_PLUGIN');
  }
  if (p.completeWithoutDone !== undefined && typeof p.completeWithoutDone !== 'function') {
    throw new ConfigError(`API plugin ${file} (${p.name}): completeWithoutDone must be a function when given`, 'INVALID_API_PLUGIN');
  }
  return value as ApiAdapter;
}
