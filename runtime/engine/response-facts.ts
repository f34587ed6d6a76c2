/**
 * The run's facts about the responses (runtime/summary/provenance.ts): counted per finished
 * request, with a WARN line the first time a condition is seen (and at most every 10 s after), so
 * a user watching a run behind a buffering proxy, or without token usage, learns it while it runs;
 * the closing lines (`finish`) repeat each finding with its totals.
 */
import type { RequestRecord } from '../../types/run.d.ts';
import { addRecord, emptyFacts, streamFindings, TOKENIZER_HINT, type ResponseFacts } from '../summary/provenance.ts';

const WARN_EVERY_MS = 10_000;

export class ResponseWatch {
  readonly facts: ResponseFacts = emptyFacts();
  private readonly lastWarn = new Map<string, number>();
  private warnedEstimate = false;

  constructor(
    private readonly log: (line: string) => void,
    /** ms since the run's start */
    private readonly now: () => number,
  ) {}

  add(r: RequestRecord): void {
    if (!r.ok) return;
    addRecord(this.facts, r);
    const kind = r.streamCheck !== null && r.streamCheck !== 'ok' ? r.streamCheck : r.streamCheck === 'ok' && r.contentType !== 'text/event-stream' ? 'content_type' : null;
    if (kind) this.warn(kind);
    if (!this.warnedEstimate && r.outputTokenSource === 'estimated') {
      this.warnedEstimate = true;
      this.log(`WARN ${TOKENIZER_HINT}`);
    }
  }

  private warn(kind: string): void {
    const t = this.now();
    const last = this.lastWarn.get(kind);
    if (last !== undefined && t - last < WARN_EVERY_MS) return;
    this.lastWarn.set(kind, t);
    const f = streamFindings(this.facts).find((x) => x.kind === kind);
    if (f) this.log(`${f.level} ${f.text}`);
  }

  /** The closing lines: each finding with its totals (`clientLate`: llmperf's timing thread ran late in the run). */
  finish(clientLate?: boolean): string[] {
    const lines = streamFindings(this.facts, clientLate).map((f) => `${f.level} ${f.text}`);
    const o = this.facts.tokens.output;
    const total = o.usage + o.tokenizer + o.estimated;
    if (o.estimated) lines.push(`WARN output tokens of ${o.estimated} of ${total} successful requests were estimated: ${TOKENIZER_HINT}`);
    return lines;
  }
}
