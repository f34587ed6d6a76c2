/**
 * `llmperf new`: writes a runnable, commented script from a template, and a tsconfig.json next to it
 * so the editor finds the script API's types (types/*.d.ts).
 *
 * The tsconfig resolves `llmperf/*` through the package's `exports` when llmperf is installed in the
 * script's project (node_modules/llmperf up the tree); otherwise (a global or npx install, or a
 * checkout) it maps them with `paths` to the absolute types/ folder of the running llmperf.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../errors.ts';
import { chatTemplate } from './chat.ts';
import { multiTurnTemplate } from './multi-turn.ts';
import { openLoopTemplate } from './open-loop.ts';
import { thresholdsTemplate } from './thresholds.ts';

export interface Template {
  name: string;
  description: string;
  /** the script; "SCRIPT" in comments becomes the file's name */
  source: string;
}

export const TEMPLATES = {
  chat: chatTemplate,
  'open-loop': openLoopTemplate,
  'multi-turn': multiTurnTemplate,
  thresholds: thresholdsTemplate,
} satisfies Record<string, Template>;

export type TemplateName = keyof typeof TEMPLATES;
export const TEMPLATE_NAMES = Object.keys(TEMPLATES) as TemplateName[];
export const DEFAULT_SCRIPT = 'script.ts';

export interface CreatedScript {
  script: string;
  /** the tsconfig.json written, or null when one already existed */
  tsconfig: string | null;
  /** how the tsconfig finds the types: through the installed package, or a paths mapping */
  typesVia: 'package' | 'paths' | null;
}

/** The root of the running llmperf package (the folder with its package.json and types/). */
export function packageRoot(from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    const pj = path.join(dir, 'package.json');
    if (existsSync(pj) && existsSync(path.join(dir, 'types', 'index.d.ts'))) {
      try {
        if ((JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === 'llmperf') return dir;
      } catch {
        /* not ours */
      }
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`cannot find llmperf's package folder above ${from}`);
    dir = up;
  }
}

/** True when `dir` or a parent has node_modules/llmperf (a local install the tsconfig can use). */
export function hasLocalInstall(dir: string): boolean {
  let d = path.resolve(dir);
  for (;;) {
    if (existsSync(path.join(d, 'node_modules', 'llmperf', 'package.json'))) return true;
    const up = path.dirname(d);
    if (up === d) return false;
    d = up;
  }
}

/** What the written tsconfig leaves out: dependencies and the folders llmperf writes results to. */
export const TSCONFIG_EXCLUDE = ['node_modules', '**/llmperf-results', '**/outputs'];

/** The devDependencies `llmperf new` suggests: the TypeScript compiler, for `tsc` (editors bring their own). */
export const SUGGESTED_DEV_DEPENDENCIES = ['typescript'];

/**
 * The exact commands to type-check the scripts of `dir` from `cwd`: install TypeScript (a plain
 * `npx tsc` would fetch an unrelated package named "tsc"), then run its compiler on the tsconfig.
 */
export function typeCheckCommands(dir: string, cwd = process.cwd()): string[] {
  const rel = path.relative(cwd, path.join(dir, 'tsconfig.json')) || 'tsconfig.json';
  const shown = rel.includes(' ') ? JSON.stringify(rel) : rel;
  return [`npm install --save-dev ${SUGGESTED_DEV_DEPENDENCIES.join(' ')}`, `npx tsc -p ${shown}`];
}

/** The tsconfig.json for scripts in `dir`. Scripts run in a sandbox, not Node: no Node types. */
export function scriptTsconfig(dir: string, typesDir = path.join(packageRoot(), 'types')): { json: string; via: 'package' | 'paths' } {
  const local = hasLocalInstall(dir);
  const compilerOptions: Record<string, unknown> = {
    target: 'ES2022',
    lib: ['ES2022'],
    module: 'ESNext',
    moduleResolution: 'Bundler',
    strict: true,
    noEmit: true,
    types: [],
    skipLibCheck: true,
  };
  if (!local) {
    const t = typesDir.split(path.sep).join('/');
    compilerOptions.paths = { llmperf: [`${t}/index.d.ts`], 'llmperf/*': [`${t}/*.d.ts`] };
  }
  // results folders (llmperf run's, llmperf perf's) hold generated files: one must not break the project's type-check
  const json = JSON.stringify({ compilerOptions, include: ['**/*.ts'], exclude: TSCONFIG_EXCLUDE }, null, 2) + '\n';
  return { json, via: local ? 'package' : 'paths' };
}

/** Writes the script (never over an existing file) and, when the folder has none, a tsconfig.json. */
export function createScript(file: string, template: string): CreatedScript {
  if (!Object.hasOwn(TEMPLATES, template)) {
    throw new ConfigError(`unknown template "${template}": use one of ${TEMPLATE_NAMES.join(', ')}`, 'UNKNOWN_TEMPLATE');
  }
  const t: Template = TEMPLATES[template as TemplateName];
  const abs = path.resolve(file);
  if (!/\.ts$/i.test(abs)) throw new ConfigError(`${file}: templates are TypeScript; give a file name ending in .ts`, 'INVALID_FILE_NAME');
  if (existsSync(abs)) {
    let n = 2;
    while (existsSync(abs.replace(/\.ts$/i, `-${n}.ts`))) n++;
    const free = file.replace(/\.ts$/i, `-${n}.ts`);
    throw new ConfigError(`${file} already exists; llmperf new never overwrites a file: give another name (llmperf new ${free}) or remove it`, 'FILE_EXISTS');
  }
  const dir = path.dirname(abs);
  mkdirSync(dir, { recursive: true });
  const shown = path.relative(process.cwd(), abs) || path.basename(abs);
  writeFileSync(abs, t.source.replaceAll('SCRIPT', shown.includes(' ') ? JSON.stringify(shown) : shown), { flag: 'wx' });
  const tsconfigPath = path.join(dir, 'tsconfig.json');
  if (existsSync(tsconfigPath)) return { script: abs, tsconfig: null, typesVia: null };
  const { json, via } = scriptTsconfig(dir);
  writeFileSync(tsconfigPath, json, { flag: 'wx' });
  return { script: abs, tsconfig: tsconfigPath, typesVia: via };
}
