/** Maps positions in the bundle back to the user's files (node:module's SourceMap; no dependency). */
import { SourceMap } from 'node:module';
import path from 'node:path';
import type { Bundle } from './bundle.ts';

export class PositionMapper {
  private readonly sm: SourceMap;
  private readonly mapDir: string;
  constructor(private readonly bundle: Bundle) {
    this.sm = new SourceMap(JSON.parse(bundle.map));
    this.mapDir = bundle.baseDir;
  }

  /** 1-based line/column in the bundle -> "file:line:col" in the user's sources, relative to cwd. */
  map(line: number, column: number): string | null {
    const e = this.sm.findEntry(line - 1, column - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number };
    if (!e || e.originalSource === undefined || e.originalLine === undefined) return null;
    let src = e.originalSource;
    if (src.startsWith('file://')) src = new URL(src).pathname;
    const abs = path.resolve(this.mapDir, src);
    const rel = path.relative(process.cwd(), abs) || abs;
    return `${rel.startsWith('..') ? abs : rel}:${e.originalLine + 1}:${(e.originalColumn ?? 0) + 1}`;
  }

  /** Rewrites every `llmperf-script.js:L:C` in a stack trace to the user's positions. */
  mapStack(stack: string): string {
    const name = this.bundle.filename.replace(/\./g, '\\.');
    const re = new RegExp(`(?:file://)?[^\\s()]*${name}:(\\d+):(\\d+)`, 'g');
    return stack.replace(re, (m, l: string, c: string) => this.map(Number(l), Number(c)) ?? m);
  }

  /** The user's position of the first bundle frame in a stack, if any. */
  firstPosition(stack: string): string | null {
    const name = this.bundle.filename.replace(/\./g, '\\.');
    const m = new RegExp(`${name}:(\\d+):(\\d+)`).exec(stack);
    return m ? this.map(Number(m[1]), Number(m[2])) : null;
  }
}
