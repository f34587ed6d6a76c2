/**
 * Per-request bookkeeping of two perf workloads, fed from the request records as they finish:
 *
 * - ConversationCache (--multi-turn): tells evalscope's accumulator each request's turn (its `turn`
 *   tag) and the prompt tokens counted as cached, as evalscope's multi-turn runner estimates them:
 *   the server's usage.prompt_tokens_details.cached_tokens when it reports them, else the previous
 *   turn's prompt + completion tokens (the context already seen), 0 for a first turn. A conversation
 *   is one iteration of the script: its requests share the scenario, VU and iteration number, and
 *   finish in order.
 * - SpeedTable (speed_benchmark): evalscope's "Speed Benchmark Results", the average of output tokens
 *   / latency per prompt length (grouped by input tokens), successful requests only. GPU memory is 0:
 *   the model runs elsewhere (evalscope measures it only for --api local).
 */
import type { RequestRecord } from '../../types/run.d.ts';
import { pyRound } from '../summary/pyformat.ts';
import type { EvalscopeRequest } from '../summary/evalscope.ts';
import { gridTable } from './report.ts';

export class ConversationCache {
  private readonly last = new Map<string, { prompt: number; completion: number }>();

  annotate(rec: RequestRecord, q: EvalscopeRequest): void {
    const turn = Number(rec.tags.turn);
    if (!Number.isInteger(turn) || turn < 1) return;
    q.turn = turn;
    if (!rec.ok) return;
    const key = `${rec.scenario}\u0000${rec.vu}\u0000${rec.iter}`;
    const prev = turn === 1 ? undefined : this.last.get(key);
    if (q.inputTokens > 0) q.cachedTokens = rec.cachedTokens ?? (prev && prev.prompt > 0 ? prev.prompt + prev.completion : 0);
    const next = { prompt: prev?.prompt ?? 0, completion: prev?.completion ?? 0 };
    if (q.inputTokens) next.prompt = q.inputTokens;
    if (q.outputTokens) next.completion = q.outputTokens;
    this.last.set(key, next);
  }
}

export type SpeedRow = { 'Prompt Tokens': number; 'Speed(tokens/s)': number; 'GPU Memory(GB)': number };

export class SpeedTable {
  private readonly byPrompt = new Map<number, { sum: number; n: number }>();

  add(q: EvalscopeRequest): void {
    if (!q.ok || !(q.latency > 0)) return;
    const g = this.byPrompt.get(q.inputTokens) ?? { sum: 0, n: 0 };
    g.sum += q.outputTokens / q.latency;
    g.n++;
    this.byPrompt.set(q.inputTokens, g);
  }

  rows(): SpeedRow[] {
    return [...this.byPrompt.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([prompt, g]) => ({ 'Prompt Tokens': prompt, 'Speed(tokens/s)': pyRound(g.sum / g.n, 2), 'GPU Memory(GB)': 0.0 }));
  }

  render(): string {
    const header = ['Prompt Tokens', 'Speed(tokens/s)', 'GPU Memory(GB)'] as const;
    return ['', 'Speed Benchmark Results:', gridTable([...header], this.rows().map((r) => header.map((h) => r[h])), 'center'), ''].join('\n');
  }
}
