/** Checks and normalisation of script arguments before they cross to the host. */

/** Tags as the host takes them: strings, or null for none. */
export function tagsArg(tags: unknown, where: string): Record<string, string> | null {
  if (tags === undefined || tags === null) return null;
  if (typeof tags !== 'object' || Array.isArray(tags)) throw new TypeError(where + ': tags must be an object of strings');
  const out: Record<string, string> = {};
  for (const k of Object.keys(tags)) out[k] = String((tags as Record<string, unknown>)[k]);
  return out;
}

/** A fresh plain object of `opts`' own fields plus `extra`'s (options handed to the host). */
export function optionsArg(opts: object | undefined | null, extra?: Record<string, unknown>): Record<string, unknown> {
  return Object.assign({}, opts || {}, extra);
}
