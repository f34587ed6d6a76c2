/**
 * Script exceptions during iterations: reported once per source position (the user's
 * file:line:col), counted every time, with the first few distinct messages kept as examples; the VU
 * carries on. Keyed on the position alone, so `throw new Error('boom ' + __ITER)` is one entry and
 * one printed report, not one per iteration. Bounded: at most MAX_POSITIONS positions (the rest are
 * counted under "other positions"), MAX_EXAMPLES examples each, messages cut at MAX_MESSAGE characters.
 */
import type { PositionMapper } from '../bundle/sourcemap.ts';

export const MAX_POSITIONS = 100;
export const MAX_EXAMPLES = 3;
export const MAX_MESSAGE = 500;
const OTHER = 'other positions';

export interface ScriptErrorEntry {
  position: string;
  /** the first message seen at this position */
  message: string;
  /** up to MAX_EXAMPLES distinct messages, the first one included */
  examples: string[];
  count: number;
  kind: string;
}

export function cutMessage(s: string, max = MAX_MESSAGE): string {
  return s.length > max ? `${s.slice(0, max)}… (${s.length} characters)` : s;
}

export class ScriptErrorLog {
  private readonly byKey = new Map<string, ScriptErrorEntry>();
  constructor(
    private readonly mapper: PositionMapper,
    private readonly print: (line: string) => void,
  ) {}

  add(err: { message: string; stack: string; name: string; kind: string }, context: string): void {
    let position = this.mapper.firstPosition(err.stack) ?? 'unknown position';
    const message = cutMessage(err.message);
    if (!this.byKey.has(position) && this.byKey.size >= MAX_POSITIONS) position = OTHER;
    let e = this.byKey.get(position);
    if (!e) {
      e = { position, message, examples: [message], count: 0, kind: err.kind };
      this.byKey.set(position, e);
      if (position === OTHER) this.print(`script errors at more than ${MAX_POSITIONS} source positions: the others are counted under "${OTHER}"`);
      else {
        const stack = this.mapper.mapStack(err.stack).split('\n').slice(1, 4).join('\n');
        this.print(`${err.kind === 'fail' ? 'iteration failed' : 'script error'} at ${position} (${context}): ${err.name === 'Error' || err.kind === 'fail' ? '' : err.name + ': '}${message}${stack ? '\n' + cutMessage(stack, 2000) : ''}\n  (further errors at this position are counted, not printed)`);
      }
    } else if (e.examples.length < MAX_EXAMPLES && !e.examples.includes(message)) e.examples.push(message);
    e.count++;
  }

  /** An isolate died (memory limit, stuck iteration): reported once per cause, counted per VU hit. */
  addIsolateDeath(kind: 'memory' | 'cpu', message: string, vusHit: number): void {
    const position = kind === 'memory' ? 'isolate memory limit' : 'iteration CPU timeout';
    let e = this.byKey.get(position);
    if (!e) {
      e = { position, message, examples: [message], count: 0, kind };
      this.byKey.set(position, e);
    } else if (e.examples.length < MAX_EXAMPLES && !e.examples.includes(message)) e.examples.push(message);
    this.print(`${message} (${vusHit} VU${vusHit === 1 ? '' : 's'} restarted in a new isolate; the run goes on)`);
    e.count += vusHit;
  }

  entries(): ScriptErrorEntry[] {
    return [...this.byKey.values()].sort((a, b) => b.count - a.count);
  }

  get total(): number {
    let n = 0;
    for (const e of this.byKey.values()) n += e.count;
    return n;
  }
}
