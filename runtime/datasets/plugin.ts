/**
 * Custom dataset plugins: a .ts/.js file whose default export implements DatasetPlugin
 * (types/dataset-plugin.d.ts). The file is bundled with esbuild (platform node, ESM, its imports
 * included) into a temporary .mjs, imported on the host, and its items are validated one by one.
 */
import { existsSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { importHostModule } from '../bundle/host-module.ts';
import { ConfigError, LlmperfError } from '../errors.ts';
import type { DatasetPlugin, DatasetPluginContext } from '../../types/dataset-plugin.d.ts';
import type { DatasetItem, DatasetOptions } from './types.ts';
import { toMessages } from './formats.ts';
import { invalid, readLines } from './read.ts';

const SHAPE = 'a dataset plugin must `export default { name?: string, load(ctx) { … } }` (see types/dataset-plugin.d.ts)';

/** Bundles `file` and imports it; returns its default export. */
function importPlugin(file: string): Promise<unknown> {
  return importHostModule(file, 'dataset plugin', 'INVALID_DATASET_PLUGIN');
}

const positiveInt = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v > 0;

/** Checks one item a plugin produced; `where` is `file: item N`. */
function checkItem(value: unknown, where: string): DatasetItem {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid(where, 'an item must be an object');
  const item = value as Record<string, unknown>;
  const out: DatasetItem = {};
  if (item.prompt !== undefined) {
    if (typeof item.prompt !== 'string') throw invalid(where, '"prompt" must be a string');
    out.prompt = item.prompt;
  }
  if (item.messages !== undefined) out.messages = toMessages(item.messages, where);
  if (item.body !== undefined) {
    if (item.body === null || typeof item.body !== 'object' || Array.isArray(item.body)) throw invalid(where, '"body" must be an object');
    out.body = item.body as Record<string, unknown>;
  }
  if (item.turns !== undefined) {
    const ok = Array.isArray(item.turns) && item.turns.length > 0 && item.turns.every((t) => t && typeof t === 'object' && Array.isArray((t as { messages?: unknown }).messages));
    if (!ok) throw invalid(where, '"turns" must be a non-empty array of {"messages": [...]} (one per conversation turn)');
    out.turns = item.turns as DatasetItem['turns'];
  }
  if (out.prompt === undefined && out.messages === undefined && out.body === undefined && out.turns === undefined) {
    throw invalid(where, 'an item needs "prompt", "messages", "body" or "turns"');
  }
  for (const key of ['inputTokens', 'outputTokens'] as const) {
    if (item[key] === undefined) continue;
    if (!positiveInt(item[key])) throw invalid(where, `"${key}" must be a positive integer`);
    out[key] = item[key] as number;
  }
  if (item.meta !== undefined) {
    if (item.meta === null || typeof item.meta !== 'object' || Array.isArray(item.meta)) throw invalid(where, '"meta" must be an object');
    out.meta = item.meta as Record<string, unknown>;
  }
  return out;
}

async function* validated(plugin: DatasetPlugin, ctx: DatasetPluginContext, file: string): AsyncGenerator<DatasetItem> {
  let n = 0;
  try {
    const produced = await plugin.load(ctx);
    if (produced === null || typeof produced !== 'object' || !(Symbol.asyncIterator in produced || Symbol.iterator in produced)) {
      throw new ConfigError(`dataset plugin ${file}: load() must return (or resolve to) an iterable or async iterable of items`, 'INVALID_DATASET_PLUGIN');
    }
    for await (const value of produced as AsyncIterable<unknown>) {
      n++;
      yield checkItem(value, `${file}: item ${n}`);
    }
  } catch (err) {
    if (err instanceof LlmperfError) throw err;
    throw new ConfigError(`dataset plugin ${file} failed after ${n} items: ${(err as Error).message}`, 'INVALID_DATASET_PLUGIN', { cause: err });
  }
}

/** Loads the plugin at `spec` (a path, relative to opts.baseDir) and streams its validated items. */
export async function loadPluginItems(
  spec: string,
  opts: DatasetOptions,
): Promise<{ name: string; items: AsyncIterable<DatasetItem>; file: string }> {
  const baseDir = opts.baseDir ?? process.cwd();
  const file = resolve(baseDir, spec);
  if (!existsSync(file)) {
    throw new ConfigError(`dataset plugin not found: ${file} (from --dataset "${spec}"; a dataset is a built-in kind or the path of a .ts/.js plugin)`, 'DATASET_NOT_FOUND');
  }
  const plugin = (await importPlugin(file)) as DatasetPlugin | undefined;
  if (!plugin || typeof plugin !== 'object' || typeof plugin.load !== 'function') {
    throw new ConfigError(`${file}: ${SHAPE}`, 'INVALID_DATASET_PLUGIN');
  }
  const { tokenizer, ...options } = opts;
  const ctx: DatasetPluginContext = {
    ...(opts.path !== undefined ? { path: resolve(baseDir, opts.path) } : {}),
    baseDir,
    ...(tokenizer ? { tokenizer } : {}),
    options,
    readLines: (path: string) => readLines(resolve(baseDir, path)),
    fail: (message: string) => new ConfigError(message, 'INVALID_DATASET'),
  };
  const name = typeof plugin.name === 'string' && plugin.name ? plugin.name : basename(file, extname(file));
  return { name, items: validated(plugin, ctx, file), file };
}
