/**
 * Script exceptions during iterations: reported once per distinct source position (with the
 * user's file:line:col), counted every time; the VU carries on.
 */
import type { PositionMapper } from '../bundle/sourcemap.ts';

export interface ScriptErrorEntry {
  position: string;
  message: string;
  count: number;
  kind: string;
}

export class ScriptErrorLog {
  private readonly byKey = new Map<string, ScriptErrorEntry>();
  constructor(
    private readonly mapper: PositionMapper,
    private readonly print: (line: string) => void,
  ) {}

  add(err: { message: string; stack: string; name: string; kind: string }, context: string): void {
    const position = this.mapper.firstPosition(err.stack) ?? 'unknown position';
    const key = `${position}\u0000${err.message}`;
    let e = this.byKey.get(key);
    if (!e) {
      e = { position, message: err.message, count: 0, kind: err.kind };
      this.byKey.set(key, e);
      const stack = this.mapper.mapStack(err.stack).split('\n').slice(1, 4).join('\n');
      this.print(`${err.kind === 'fail' ? 'iteration failed' : 'script error'} at ${position} (${context}): ${err.name === 'Error' || err.kind === 'fail' ? '' : err.name + ': '}${err.message}${stack ? '\n' + stack : ''}\n  (further errors at this position are counted, not printed)`);
    }
    e.count++;
  }

  /** An isolate died (memory limit, stuck iteration): reported once per cause, counted per VU hit. */
  addIsolateDeath(kind: 'memory' | 'cpu', message: string, vusHit: number): void {
    const position = kind === 'memory' ? 'isolate memory limit' : 'iteration CPU timeout';
    const key = `${position}\u0000`;
    let e = this.byKey.get(key);
    if (!e) {
      e = { position, message, count: 0, kind };
      this.byKey.set(key, e);
    }
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
