/**
 * Whether llmperf writes ANSI colours to a stream, decided once the same way for the progress
 * display, the text summary's default (--color) and the other commands' output:
 *
 *   FORCE_COLOR set      -> colours, unless it is 0 or false (even when the stream is not a terminal)
 *   NO_COLOR non-empty   -> no colours (https://no-color.org)
 *   TERM=dumb            -> no colours
 *   otherwise            -> colours when the stream is a terminal
 *
 * FORCE_COLOR wins over NO_COLOR, as in Node's own tty.getColorDepth().
 */
export function colorEnabled(stream: { isTTY?: boolean }, env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !/^(0|false)$/i.test(force.trim());
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return !!stream.isTTY;
}

export type Paint = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan';

const CODES: Record<Paint, [number, number]> = { bold: [1, 22], dim: [2, 22], red: [31, 39], green: [32, 39], yellow: [33, 39], cyan: [36, 39] };

/** Wraps text in one SGR colour when `on`; returns it unchanged otherwise. */
export function paint(on: boolean, p: Paint | undefined, text: string): string {
  if (!on || !p || !text) return text;
  const [a, b] = CODES[p];
  return `\x1b[${a}m${text}\x1b[${b}m`;
}
