/**
 * API adapters beyond the built-in openai one: dashscope (always registered) and custom API plugins,
 * a .ts/.js file whose default export implements types/api-plugin.d.ts. A plugin is bundled with
 * esbuild (platform node, ESM, its imports included) into a temporary .mjs, imported on the host and
 * checked for the ApiAdapter shape.
 *
 * `resolveApis(spec, baseDir)` is what `llmperf run --api` and `llmperf perf --api` call: it returns
 * the adapters to register (RunRequest.apis) and the name the run's options.llm.api must carry.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { importHostModule } from '../bundle/host-module.ts';
import { ConfigError } from '../errors.ts';
import type { ApiAdapter } from './api.ts';
import { dashscopeApi } from './dashscope.ts';
import { openaiApi } from './openai.ts';

/** Adapters llmperf ships, by name (openai is also built into the engine). */
export const BUILTIN_APIS: Readonly<Record<string, ApiAdapter>> = { openai: openaiApi, dashscope: dashscopeApi };

export interface ResolvedApis {
  /** The name to put in options.llm.api (the plugin's own name for a plugin file); undefined when spec was undefined. */
  api: string | undefined;
  /** Adapters to register with the run (RunRequest.apis). */
  apis: ApiAdapter[];
}

const PLUGIN_FILE = /\.(?:[cm]?[jt]s)$/i;
const SHAPE = 'an API plugin must `export default { name, build(endpoint, params, ctx), parseEvent(data, event), parseBody(body), promptText(params) }` (see types/api-plugin.d.ts)';

/** True when `spec` names a plugin file rather than a built-in API. */
export function isPluginSpec(spec: string): boolean {
  return PLUGIN_FILE.test(spec) || spec.includes('/') || spec.includes('\\');
}

/**
 * Resolves `--api`: undefined or a built-in name -> the built-ins; a path -> the plugin loaded from it
 * (relative to baseDir) plus the built-ins. Unknown names are a ConfigError listing the choices.
 */
export async function resolveApis(spec: string | undefined, baseDir: string): Promise<ResolvedApis> {
  const builtins = Object.values(BUILTIN_APIS).filter((a) => a.name !== 'openai');
  if (spec === undefined) return { api: undefined, apis: builtins };
  if (Object.hasOwn(BUILTIN_APIS, spec)) return { api: spec, apis: builtins };
  if (!isPluginSpec(spec)) {
    throw new ConfigError(
      `unknown API "${spec}": use openai, dashscope, or the path of an API plugin (.ts/.js, see types/api-plugin.d.ts)`,
      'UNKNOWN_API',
    );
  }
  const plugin = await loadApiPlugin(resolve(baseDir, spec), spec);
  return { api: plugin.name, apis: [...builtins, plugin] };
}

/** Loads and checks one API plugin file. */
export async function loadApiPlugin(file: string, spec = file): Promise<ApiAdapter> {
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new ConfigError(`API plugin not found: ${file} (from --api "${spec}"; an API is openai, dashscope or the path of a .ts/.js plugin)`, 'API_PLUGIN_NOT_FOUND');
  }
  const value = await importDefault(file);
  return checkAdapter(value, file);
}

function checkAdapter(value: unknown, file: string): ApiAdapter {
  if (!value || typeof value !== 'object') throw new ConfigError(`API plugin ${file} has no default export: ${SHAPE}`, 'INVALID_API_PLUGIN');
  const p = value as Record<string, unknown>;
  if (typeof p.name !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(p.name)) {
    throw new ConfigError(`API plugin ${file}: "name" must be a string of letters, digits, _ . - (got ${JSON.stringify(p.name)}); ${SHAPE}`, 'INVALID_API_PLUGIN');
  }
  if (p.name === 'openai' || p.name === 'dashscope') {
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

/** Bundles `file` for node and imports it; returns its default export. */
function importDefault(file: string): Promise<unknown> {
  return importHostModule(file, 'API plugin', 'INVALID_API_PLUGIN');
}
