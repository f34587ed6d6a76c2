/**
 * evalscope perf flags that `llmperf perf` accepts without a direct equivalent: visualiser flags
 * (answered with one line saying where the same figures go), tuning knobs of evalscope's own
 * pipeline (no effect here) and modes llmperf does not have (refused with the reason and what to use).
 * Also the command line as written into the generated script, secrets removed.
 */
import type { Argv } from 'yargs';
import { ConfigError } from '../runtime/errors.ts';

const VISUALISER = ['wandb-api-key', 'swanlab-api-key', 'swanlab-host', 'visualizer'] as const;
const NO_EFFECT = ['db-commit-interval', 'queue-size-multiplier', 'in-flight-task-multiplier', 'num-workers', 'enable-progress-tracker', 'port', 'attn-implementation'] as const;
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
  for (const f of [...VISUALISER, ...NO_EFFECT, ...Object.keys(UNSUPPORTED)]) {
    out = out.option(f, { type: BOOLEAN.has(f) ? 'boolean' : 'string', hidden: true });
  }
  return out;
}

const given = (a: Record<string, unknown>, f: string) => a[f] !== undefined && a[f] !== false;

/** One line per kind of flag given without an equivalent; throws for flags llmperf refuses. */
export function perfNotes(a: Record<string, unknown>): string[] {
  for (const [f, why] of Object.entries(UNSUPPORTED)) if (given(a, f)) throw new ConfigError(`--${f}: ${why}`, 'UNSUPPORTED_FLAG');
  const notes: string[] = [];
  const vis = VISUALISER.filter((f) => given(a, f));
  if (vis.length) {
    notes.push(
      `${vis.map((f) => `--${f}`).join(', ')}: llmperf sends nothing to wandb/swanlab; the same figures are in the results folder ` +
        '(--outputs-dir: benchmark_summary.json, benchmark_percentile.json, summary.json) and can be streamed live with `--out prometheus-rw=URL`',
    );
  }
  const idle = NO_EFFECT.filter((f) => given(a, f));
  if (idle.length) notes.push(`${idle.map((f) => `--${f}`).join(', ')}: no effect in llmperf (evalscope pipeline or local-model settings), ignored`);
  return notes;
}

const SECRET_FLAGS = new Set(['--api-key', '--wandb-api-key', '--swanlab-api-key']);

/** `llmperf perf ...` with API keys and header values replaced, quoted for a shell. */
export function commandLine(argv: string[]): string {
  const out: string[] = [];
  let inHeaders = false;
  let secretNext = false;
  for (const arg of argv) {
    if (arg.startsWith('--')) {
      inHeaders = arg === '--headers';
      const eq = arg.indexOf('=');
      const flag = eq > 0 ? arg.slice(0, eq) : arg;
      if (SECRET_FLAGS.has(flag)) {
        if (eq > 0) out.push(`${flag}=[REDACTED]`);
        else {
          out.push(flag);
          secretNext = true;
        }
        continue;
      }
      out.push(arg);
      continue;
    }
    if (secretNext) {
      out.push('[REDACTED]');
      secretNext = false;
      continue;
    }
    if (inHeaders) {
      const i = arg.search(/[=:]/);
      out.push(i > 0 ? `${arg.slice(0, i)}=[REDACTED]` : arg);
      continue;
    }
    out.push(arg);
  }
  const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);
  return ['llmperf', ...out.map(quote)].join(' ');
}
