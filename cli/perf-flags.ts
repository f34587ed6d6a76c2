/**
 * evalscope perf flags that `llmperf perf` accepts without a direct equivalent: tuning knobs of
 * evalscope's own pipeline (no effect here, kept for benchmark_args.json), with a note. argparse's
 * rule for repeated flags (the last one wins, lists included). Also the command line as written into
 * the generated script, secrets removed.
 */
import type { Argv } from 'yargs';
import { redactArgv } from '../runtime/secrets.ts';

export const NO_EFFECT = ['db-commit-interval', 'queue-size-multiplier', 'in-flight-task-multiplier', 'num-workers', 'enable-progress-tracker', 'port', 'attn-implementation'] as const;
const BOOLEAN = new Set(['enable-progress-tracker']);

/** Declares the flags above (hidden from --help) so evalscope command lines parse. */
export function perfFlagsBuilder(y: Argv): Argv {
  let out = y;
  for (const f of NO_EFFECT) {
    out = out.option(f, { type: BOOLEAN.has(f) ? 'boolean' : 'string', hidden: true });
  }
  return out;
}

const given = (a: Record<string, unknown>, f: string) => a[f] !== undefined && a[f] !== false;

/** One line per kind of flag given without an equivalent. */
export function perfNotes(a: Record<string, unknown>): string[] {
  const notes: string[] = [];
  const idle = NO_EFFECT.filter((f) => given(a, f));
  if (idle.length) notes.push(`${idle.map((f) => `--${f}`).join(', ')}: no effect in llmperf (evalscope pipeline or local-model settings), ignored`);
  if (typeof a['data-source'] === 'string' && a['data-source'] !== 'local') notes.push(`--data-source ${a['data-source']}: llmperf never downloads; it reads the local copy given with --dataset-path`);
  if (given(a, 'multi-turn-args')) notes.push('--multi-turn-args is deprecated in evalscope: its keys are folded into --dataset-args (which wins on a conflict)');
  if (given(a, 'image-patch-size')) notes.push('--image-patch-size: no effect here (evalscope uses it only to count image tokens of a local model)');
  return notes;
}

/** The no-effect flags given, snake_case (as evalscope's benchmark_args.json names them). */
export function evalscopeExtra(a: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of NO_EFFECT) {
    if (!given(a, f)) continue;
    const v = Array.isArray(a[f]) ? (a[f] as unknown[])[(a[f] as unknown[]).length - 1] : a[f];
    const n = typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
    out[f.replace(/-/g, '_')] = n;
  }
  return out;
}

/**
 * The values of a flag as argparse keeps them: only its last occurrence counts (yargs joins every
 * occurrence into one array). `raw` is the command line; `names` the flag and its aliases; `merged`
 * what yargs made of every occurrence. List flags (nargs='+') keep every value of that occurrence.
 */
export function lastOccurrence(raw: readonly string[], names: readonly string[], merged: unknown, isList: boolean): unknown {
  if (!Array.isArray(merged)) return merged;
  if (!isList) return merged[merged.length - 1];
  let count = -1;
  for (let i = 0; i < raw.length; i++) {
    const tok = raw[i]!;
    if (tok === '--') break;
    const eq = tok.indexOf('=');
    const name = (eq > 0 ? tok.slice(0, eq) : tok).replace(/^-+/, '');
    if (!tok.startsWith('-') || !names.includes(name)) continue;
    if (eq > 0) {
      count = 1;
      continue;
    }
    count = 0;
    for (let j = i + 1; j < raw.length && !isFlagToken(raw[j]!); j++) count++;
  }
  return count < 0 ? merged : merged.slice(merged.length - count);
}

function isFlagToken(t: string): boolean {
  return t.startsWith('-') && !/^-\d|^-\.\d/.test(t) && t !== '-';
}

/** The command line as stored (run.json) and written into the script: runtime/secrets.ts's one rule. */
export function redactPerfArgv(argv: readonly string[]): string[] {
  return redactArgv(argv);
}

/** `llmperf perf ...` with secrets replaced (runtime/secrets.ts), quoted for a shell. */
export function commandLine(argv: string[]): string {
  const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);
  return ['llmperf', ...redactPerfArgv(argv).map(quote)].join(' ');
}
