/** The VU prelude's code: runtime/vu/script/index.ts bundled into one IIFE (see prelude-bundle.mjs). */
export function bundlePrelude(): Promise<string>;
