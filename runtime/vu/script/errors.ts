/** The errors VU code throws to end an iteration on purpose; entry.ts reports them by kind. */

/** fail(): the iteration ends with a script error; the VU goes on. */
export class LlmperfFail extends Error {
  constructor(m: string) {
    super(m);
    this.name = 'LlmperfFail';
  }
}

/** exec.test.abort(): the whole test stops. */
export class LlmperfAbort extends Error {
  constructor(m: string) {
    super(m);
    this.name = 'LlmperfAbort';
  }
}
