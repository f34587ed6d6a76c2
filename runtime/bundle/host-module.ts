/**
 * Loads a user's plugin file (dataset or API plugin) on the host: bundled with esbuild for Node
 * (ESM, its own imports included) into a temporary .mjs, imported, and its default export returned.
 * Unlike scripts, plugins run on the host with Node's APIs: they are the user's own code.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Message } from 'esbuild';
import { ConfigError } from '../errors.ts';

function formatEsbuild(messages: Message[]): string {
  return messages
    .slice(0, 5)
    .map((m) => (m.location ? `${m.location.file}:${m.location.line}:${m.location.column + 1}: ${m.text}` : m.text))
    .join('\n');
}

/** `what` names the kind of file in errors ("dataset plugin"), `code` is the ConfigError code. */
export async function importHostModule(file: string, what: string, code: string): Promise<unknown> {
  let js: string;
  try {
    // esbuild is loaded when a plugin is bundled, not with this module (the I/O threads import it)
    const { build } = await import('esbuild');
    const out = await build({
      entryPoints: [file],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      write: false,
      logLevel: 'silent',
      // Bundled CommonJS dependencies may call require(): give them one.
      banner: { js: "import { createRequire as __llmperfCreateRequire } from 'node:module'; const require = __llmperfCreateRequire(import.meta.url);" },
    });
    js = out.outputFiles[0]?.text ?? '';
  } catch (err) {
    const errors = (err as { errors?: Message[] }).errors;
    const detail = errors?.length ? formatEsbuild(errors) : (err as Error).message;
    throw new ConfigError(`${what} ${file} does not build:\n${detail}`, code, { cause: err });
  }
  const dir = await mkdtemp(join(tmpdir(), 'llmperf-plugin-'));
  try {
    const out = join(dir, `${basename(file, extname(file))}.mjs`);
    await writeFile(out, js);
    const mod = (await import(pathToFileURL(out).href)) as { default?: unknown };
    return mod.default;
  } catch (err) {
    throw new ConfigError(`${what} ${file} failed while loading: ${(err as Error).message}`, code, { cause: err });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
