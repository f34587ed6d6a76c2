/**
 * evalscope perf flags that `llmperf perf` accepts without a direct equivalent: tuning knobs of
 * evalscope's own pipeline (no effect here, kept for benchmark_args.json) and modes llmperf does not
 * have (refused with the reason and what to use). argparse's rule for repeated flags (the last one
 * wins, lists included). Also the command line as written into the generated script, secrets removed.
 */
import type { Argv } from 'yargs';
import { ConfigError } from '../runtime/errors.ts';
import { redactArgv } from '../runtime/secrets.ts';

export const NO_EFFECT = ['db-commit-interval', 'queue-size-multiplier', 'in-flight-task-multiplier', 'num-workers', 'enable-progress-tracker', 'port', 'attn-implementation'] as const;
const UNSUPPORTED: Record<string, string> = {
  'multi-turn': 'multi-turn conversations are not part of llmperf perf: write an llmperf script that keeps the conversation (llmperf run)',
  'min-turns': 'multi-turn conversations are not part of llmperf perf',
  'max-turns': 'multi-turn conversations are not part of llmperf perf',
  'multi-turn-args': 'multi-turn conversations are not part of llmperf perf',
  'sla-auto-tune': 'SLA auto-tuning is not supported: sweep with --parallel 1 2 4 8 --number ... and read the combined table, or use thresholds in an llmperf script',
  'sla-variable': 'SLA auto-tuning is not supported',
  'sla-params': 'SLA auto-tuning is not supported',
  'sla-num-runs': 'SLA auto-tuning is not supported',
  'sla-upper-bound': 'SLA auto-tuning is not supported',
  'sla-lower-bound': 'SLA auto-tuning is not supported',
  'sla-fixed-parallel': 'SLA auto-tuning is not supported',
  'sla-number-multiplier': 'SLA auto-tuning is not supported',
  'image-width': 'image datasets (random_vl, flickr8k) are not supported',
  'image-height': 'image datasets (random_vl, flickr8k) are not supported',
  'image-format': 'image datasets (random_vl, flickr8k) are not supported',
  'image-num': 'image datasets (random_vl, flickr8k) are not supported',
  'image-patch-size': 'image datasets (random_vl, flickr8k) are not supported',
  'tokenize-prompt': 'sending token ids is not supported: send the prompt text to /v1/completions (--no-apply-chat-template)',
};
const BOOLEAN = new Set(['enable-progress-tracker', 'multi-turn', 'sla-auto-tune', 'tokenize-prompt']);

/** Declares the flags above (hidden from --help) so evalscope command lines parse. */
export function perfFlagsBuilder(y: Argv): Argv {
  let out = y;
  for (const f of [...NO_EFFECT, ...Object.keys(UNSUPPORTED)]) {
    out = out.option(f, { type: BOOLEAN.has(f) ? 'boolean' : 'string', hidden: true });
  }
  return out;
}

const given = (a: Record<string, unknown>, f: string) => a[f] !== undefined && a[f] !== false;

/** One line per kind of flag given without an equivalent; throws for flags llmperf refuses. */
export function perfNotes(a: Record<string, unknown>): string[] {
  for (const [f, why] of Object.entries(UNSUPPORTED)) if (given(a, f)) throw new ConfigError(`--${f}: ${why}`, 'UNSUPPORTED_FLAG');
  const notes: string[] = [];
  const idle = NO_EFFECT.filter((f) => given(a, f));
  if (idle.length) notes.push(`${idle.map((f) => `--${f}`).join(', ')}: no effect in llmperf (evalscope pipeline or local-model settings), ignored`);
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
