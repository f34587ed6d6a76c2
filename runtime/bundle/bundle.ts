/**
 * Bundles a user script (TypeScript or JavaScript, with its local imports and JSON) into one
 * script for the isolate, with esbuild. The result defines `globalThis.__llmperf_bundle`, a factory
 * that the VU side (runtime/vu/script/index.ts) calls once per VU and that returns the module's
 * exports, plus a source map used to report errors at the user's file:line:col.
 *
 * Imports of Node builtins or of packages that need them are refused here, at bundle time, with a
 * message that says why and what to use instead.
 */
import { build, type Message, type Plugin } from 'esbuild';
import { builtinModules } from 'node:module';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, ScriptError } from '../errors.ts';
import { FACTORY_PARAMS } from '../vu/script/modules.ts';
import { FORBIDDEN_HINTS, VIRTUAL_MODULES } from './virtual-modules.ts';

export interface Bundle {
  /** the code to run in each VU context */
  code: string;
  /** source map (JSON) of `code` */
  map: string;
  /** absolute path of the entry script ('<inline>' for source given as a string) */
  entry: string;
  /** directory that open() and dataset paths are relative to */
  baseDir: string;
  /** the bundle's file name inside the isolate (stack traces) */
  filename: string;
}

export const BUNDLE_FILENAME = 'llmperf-script.js';

/** The factory's first line: its parameters (runtime/vu/script/modules.ts ScriptFactory), then __ITER, kept current through the setter. */
const FACTORY_HEADER =
  `globalThis.__llmperf_bundle = function (${FACTORY_PARAMS.join(', ')}, __ITER) { 'use strict'; ` + '__llmperf_iter.set = (n) => { __ITER = n; }; __ITER = 0; ';

const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

function sandboxPlugin(): Plugin {
  return {
    name: 'llmperf-sandbox',
    setup(b) {
      b.onResolve({ filter: /^llmperf(\/.*)?$/ }, (args) => {
        if (!(args.path in VIRTUAL_MODULES)) {
          return { errors: [{ text: `"${args.path}" is not an llmperf module; available: ${Object.keys(VIRTUAL_MODULES).join(', ')}` }] };
        }
        return { path: args.path, namespace: 'llmperf' };
      });
      b.onLoad({ filter: /.*/, namespace: 'llmperf' }, (args) => ({ contents: VIRTUAL_MODULES[args.path]!, loader: 'js' }));
      b.onResolve({ filter: /.*/ }, (args) => {
        const bare = args.path.replace(/^node:/, '');
        if (BUILTINS.has(args.path)) {
          const hint = FORBIDDEN_HINTS[bare.split('/')[0]!] ?? 'scripts run in a sandbox with no Node APIs; use the llmperf modules';
          const from = args.importer && !args.importer.includes('node_modules') ? '' : ` (imported by ${args.importer})`;
          return {
            errors: [
              {
                text: `cannot import "${args.path}"${from}: VU code runs in an isolated sandbox without file system, process or network access; ${hint}`,
              },
            ],
          };
        }
        return undefined;
      });
    },
  };
}

function formatMessage(m: Message, baseDir: string): string {
  const loc = m.location;
  const file = loc ? displayPath(path.resolve(baseDir, loc.file)) : '';
  const where = loc ? `${file}:${loc.line}:${loc.column + 1}: ` : '';
  const line = loc?.lineText ? `\n    ${loc.lineText}\n    ${' '.repeat(loc.column)}^` : '';
  return `${where}${m.text}${line}`;
}

export async function bundleScript(input: { path: string } | { source: string; filename?: string; baseDir?: string }): Promise<Bundle> {
  let entry: string;
  let baseDir: string;
  let stdin: { contents: string; sourcefile: string; resolveDir: string; loader: 'ts' } | undefined;
  if ('path' in input) {
    entry = path.resolve(input.path);
    if (!existsSync(entry) || !statSync(entry).isFile()) throw new ConfigError(`script not found: ${input.path} (give the path of a .ts or .js file)`, 'SCRIPT_NOT_FOUND');
    baseDir = path.dirname(entry);
  } else {
    baseDir = path.resolve(input.baseDir ?? process.cwd());
    entry = input.filename ? path.resolve(baseDir, input.filename) : '<inline>';
    stdin = { contents: input.source, sourcefile: input.filename ?? 'inline-script.ts', resolveDir: baseDir, loader: 'ts' };
  }
  let result;
  try {
    result = await build({
      ...(stdin ? { stdin } : { entryPoints: [entry] }),
      bundle: true,
      write: false,
      format: 'iife',
      globalName: '__llmperf_module',
      platform: 'neutral',
      mainFields: ['module', 'main'],
      target: 'es2022',
      sourcemap: 'external',
      sourcesContent: false,
      outfile: path.join(baseDir, BUNDLE_FILENAME),
      absWorkingDir: baseDir,
      logLevel: 'silent',
      loader: { '.json': 'json', '.txt': 'text' },
      plugins: [sandboxPlugin()],
    });
  } catch (e) {
    const errs = (e as { errors?: Message[] }).errors;
    if (errs && errs.length) throw new ScriptError(errs.map((m) => formatMessage(m, baseDir)).join('\n'), 'BUNDLE_ERROR');
    throw new ScriptError(`cannot bundle the script: ${(e as Error).message}`, 'BUNDLE_ERROR');
  }
  const js = result.outputFiles.find((f) => f.path.endsWith('.js'));
  const map = result.outputFiles.find((f) => f.path.endsWith('.map'));
  if (!js || !map) throw new ScriptError('esbuild produced no output', 'BUNDLE_ERROR');
  // The script becomes a factory that the VU side calls once per VU: module state, __VU, __ENV,
  // __ITER (updated through the setter), open and console are the VU's own, as parameters that
  // shadow the context's globals. The header stays on the bundle's first line so that every line
  // number of the source map still holds.
  const body = js.text.replace(/\n\/\/# sourceMappingURL=.*\n?$/, '\n');
  const code = `${FACTORY_HEADER}${body}\nreturn __llmperf_module;\n};\n`;
  return { code, map: map.text, entry, baseDir, filename: BUNDLE_FILENAME };
}

/** A path as the user would type it: relative to the current directory when inside it. */
export function displayPath(abs: string): string {
  const rel = path.relative(process.cwd(), abs);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
}
