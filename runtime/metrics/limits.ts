/**
 * Bounds on what a script can put into names and tags, so that no name or tag grows the summary,
 * the store or the outputs without limit (a 10 MB check name went into a 42 MB summary.json):
 *  - a tag key is cut at MAX_TAG_KEY characters, a tag value (names of requests and groups included)
 *    at MAX_TAG_VALUE, a check name at MAX_CHECK_NAME; a cut string ends with `…`;
 *  - at most MAX_CHECKS distinct check names are kept apart (each is a line of the summary); the
 *    checks beyond are counted together under OTHER_CHECKS.
 * Each limit warns once per run, naming it.
 */
import type { Tags } from './types.ts';

export const MAX_TAG_KEY = 128;
export const MAX_TAG_VALUE = 256;
export const MAX_CHECK_NAME = 256;
export const MAX_CHECKS = 500;
export const OTHER_CHECKS = '(other checks)';

export function cut(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** `tags` itself when every key and value is within bounds (the usual case), else a cut copy. */
export function boundTags(tags: Tags, warn: (what: string) => void): Tags {
  let over = false;
  for (const k in tags) {
    if (k.length > MAX_TAG_KEY || tags[k]!.length > MAX_TAG_VALUE) {
      over = true;
      break;
    }
  }
  if (!over) return tags;
  const out: Record<string, string> = {};
  for (const k in tags) {
    const v = tags[k]!;
    if (k.length > MAX_TAG_KEY) warn(`a tag name of ${k.length} characters was cut to ${MAX_TAG_KEY}`);
    if (v.length > MAX_TAG_VALUE) warn(`the value of tag "${cut(k, 40)}" (${v.length} characters) was cut to ${MAX_TAG_VALUE}`);
    out[cut(k, MAX_TAG_KEY)] = cut(v, MAX_TAG_VALUE);
  }
  return out;
}

/**
 * Check names as the run keeps them: cut, and folded into OTHER_CHECKS beyond MAX_CHECKS distinct
 * ones. `onNew` is called once for each name the run keeps (OTHER_CHECKS included), the first time;
 * `warn` is told of a limit the first time it applies, with the VU whose check met it.
 */
export class CheckNames {
  private readonly seen = new Set<string>();
  private warnedLong = false;
  private warnedMany = false;

  constructor(
    private readonly onNew: (name: string) => void,
    private readonly warn: (vu: number, msg: string) => void,
  ) {}

  /** The name to record VU `vu`'s check under. */
  resolve(name: string, vu: number): string {
    let n = name;
    if (n.length > MAX_CHECK_NAME) {
      n = cut(n, MAX_CHECK_NAME);
      if (!this.warnedLong) {
        this.warnedLong = true;
        this.warn(vu, `a check name of ${name.length} characters was cut to ${MAX_CHECK_NAME} (further cuts are not reported)`);
      }
    }
    if (this.seen.has(n)) return n;
    if (this.seen.size >= MAX_CHECKS) {
      if (!this.warnedMany) {
        this.warnedMany = true;
        this.warn(vu, `more than ${MAX_CHECKS} distinct check names: the others are counted together as "${OTHER_CHECKS}" (is a changing value, such as __ITER, in a check's name?)`);
        this.onNew(OTHER_CHECKS);
      }
      return OTHER_CHECKS;
    }
    this.seen.add(n);
    this.onNew(n);
    return n;
  }
}
