/**
 * Turns a tokenizer spec that names files (a folder, a tokenizer.json, or a hub id already in a local
 * cache) into the files to read. Never touches the network.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { ConfigError } from '../errors.ts';

export interface TokenizerFiles {
  /** Display name: the folder's (or hub id's) name. */
  name: string;
  tokenizerJson: string;
  /** tokenizer_config.json beside tokenizer.json, when present. */
  configJson?: string;
  /** chat_template.jinja beside tokenizer.json (newer HF layout), when present. */
  chatTemplateFile?: string;
}

const FIX = 'Pass --tokenizer-path (or the tokenizer option) a folder holding tokenizer.json, a tokenizer.json file, or tiktoken:<encoding>.';

export function resolveTokenizerPath(spec: string, baseDir: string): TokenizerFiles {
  if (spec === '') throw new ConfigError(`empty tokenizer spec. ${FIX}`, 'TOKENIZER_NOT_FOUND');
  const abs = resolve(baseDir, spec);
  if (existsSync(abs)) return fromExisting(abs, spec);
  if (looksLikeHubId(spec)) {
    const cached = findInHubCaches(spec);
    if (cached) return fromExisting(cached, spec);
    throw new ConfigError(
      `tokenizer not found: "${spec}" is neither a local path (${abs}) nor in the local Hugging Face ` +
        `(${hfHubCache()}) or ModelScope (${modelscopeCache()}) cache. llmperf never downloads: fetch ` +
        `tokenizer.json and tokenizer_config.json first (e.g. huggingface-cli download ${spec} ` +
        `tokenizer.json tokenizer_config.json --local-dir ./tokenizer) and pass that folder, or use tiktoken:o200k_base.`,
      'TOKENIZER_NOT_FOUND',
    );
  }
  throw new ConfigError(`tokenizer not found: ${abs} (from "${spec}"); ${describeNearest(abs)}. ${FIX}`, 'TOKENIZER_NOT_FOUND');
}

function fromExisting(abs: string, spec: string): TokenizerFiles {
  let dir: string;
  let tokenizerJson: string;
  if (statSync(abs).isDirectory()) {
    dir = abs;
    tokenizerJson = join(abs, 'tokenizer.json');
    if (!existsSync(tokenizerJson)) {
      throw new ConfigError(
        `no tokenizer.json in ${abs} (it holds: ${listing(abs)}). ${FIX}`,
        'TOKENIZER_NOT_FOUND',
      );
    }
  } else if (basename(abs) === 'tokenizer_config.json') {
    dir = dirname(abs);
    tokenizerJson = join(dir, 'tokenizer.json');
    if (!existsSync(tokenizerJson)) {
      throw new ConfigError(`${abs} is a tokenizer_config.json, and ${dir} has no tokenizer.json beside it (it holds: ${listing(dir)}). ${FIX}`, 'TOKENIZER_NOT_FOUND');
    }
  } else {
    dir = dirname(abs);
    tokenizerJson = abs;
  }
  const files: TokenizerFiles = { name: nameFor(spec, dir), tokenizerJson };
  const config = join(dir, 'tokenizer_config.json');
  if (existsSync(config)) files.configJson = config;
  const template = join(dir, 'chat_template.jinja');
  if (existsSync(template)) files.chatTemplateFile = template;
  return files;
}

/** `org/name` (a Hugging Face / ModelScope model id), not a relative path to a file. */
function looksLikeHubId(spec: string): boolean {
  return /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/.test(spec) && !/\.json$/i.test(spec);
}

function nameFor(spec: string, dir: string): string {
  if (looksLikeHubId(spec)) return spec;
  return basename(dir) || spec;
}

/** "it holds: ..." for the nearest existing ancestor of a missing path. */
function describeNearest(abs: string): string {
  let dir = dirname(abs);
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  return `${dir} holds: ${listing(dir)}`;
}

function listing(dir: string): string {
  try {
    const names = readdirSync(dir).sort();
    if (names.length === 0) return 'nothing';
    const shown = names.slice(0, 12).join(', ');
    return names.length > 12 ? `${shown}, … (${names.length} entries)` : shown;
  } catch {
    return 'nothing readable';
  }
}

function hfHubCache(): string {
  if (process.env.HF_HUB_CACHE) return process.env.HF_HUB_CACHE;
  const home = process.env.HF_HOME ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'huggingface');
  return join(home, 'hub');
}

function modelscopeCache(): string {
  return process.env.MODELSCOPE_CACHE ?? join(homedir(), '.cache', 'modelscope', 'hub');
}

/** A folder holding tokenizer.json for hub id `org/name` in the HF or ModelScope cache, if any. */
function findInHubCaches(id: string): string | undefined {
  const [org, name] = id.split('/') as [string, string];
  const repo = join(hfHubCache(), `models--${org}--${name}`);
  if (existsSync(repo)) {
    const snapshots = join(repo, 'snapshots');
    const refMain = join(repo, 'refs', 'main');
    const preferred = existsSync(refMain) ? readFileSync(refMain, 'utf8').trim() : undefined;
    const revisions = existsSync(snapshots) ? readdirSync(snapshots) : [];
    if (preferred) revisions.unshift(preferred);
    for (const rev of revisions) {
      if (existsSync(join(snapshots, rev, 'tokenizer.json'))) return join(snapshots, rev);
    }
  }
  const ms = modelscopeCache();
  for (const candidate of [
    join(ms, 'models', org, name),
    join(ms, 'models', org, name.replaceAll('.', '___')),
    join(ms, org, name),
    join(ms, org, name.replaceAll('.', '___')),
  ]) {
    if (existsSync(join(candidate, 'tokenizer.json'))) return candidate;
  }
  return undefined;
}
