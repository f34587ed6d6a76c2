/**
 * A response body as it arrives, for one exchange (runtime/llm/exchange.ts): decoded when it is
 * compressed (decode.ts: each decoded byte keeps its compressed chunk's arrival time), then read
 *  - as SSE (text/event-stream, or another content type whose first characters are SSE), each event
 *    handed to the exchange with the arrival time of the chunk that completed it;
 *  - as one document (anything else), kept whole for the adapter's parseBody (at most MAX_BODY_CHARS);
 *  - as an error body (status >= 400), of which the first MAX_ERROR_CHARS are kept for the message.
 * The reader decides the kind from the headers, or sniffs it from the first characters when the
 * content type is not text/event-stream (decode.ts sniffBody), holding what arrived meanwhile with
 * its times. Failures (corrupt compression, a line or a body over its bound, invalid SSE) go to the
 * exchange's `fail`, once.
 */
import { StringDecoder } from 'node:string_decoder';
import { createBodyDecoder, sniffBody, type BodyDecoder, type Encoding } from './decode.ts';
import type { ErrorCode } from './error-codes.ts';
import { SseParser, type SseEvent } from './sse.ts';

/** The longest non-streamed body accepted, in characters. */
export const MAX_BODY_CHARS = 64 * 1024 * 1024;
/** The part of an error body kept for the message, in characters. */
export const MAX_ERROR_CHARS = 4000;

export interface BodySink {
  /** an SSE event, with the arrival time of the chunk that completed it */
  event(e: SseEvent, t: number): void;
  fail(code: ErrorCode, message: string): void;
  /** the exchange has ended (nothing more to do) */
  settled(): boolean;
}

/** What the body turned out to be, once it has ended. */
export type BodyEnd = { kind: 'sse' } | { kind: 'body'; text: string } | { kind: 'error'; text: string };

type Mode = 'sse' | 'body' | 'error' | 'sniff';

export class BodyReader {
  private mode: Mode;
  private parser: SseParser | null = null;
  private readonly text = new StringDecoder('utf8');
  private readonly zdec: BodyDecoder | null;
  private parts: string[] = [];
  private chars = 0;
  private errBody = '';
  /** text received while the kind is not known yet, with the arrival times */
  private held: Array<[string, number]> = [];
  private heldText = '';

  constructor(
    status: number,
    contentType: string | null,
    encoding: Encoding | null,
    private readonly sink: BodySink,
  ) {
    if (status >= 400) this.mode = 'error';
    else if (contentType === 'text/event-stream') this.mode = this.startSse();
    else this.mode = 'sniff'; // the server ignored `stream`, or sent SSE under another content type
    this.zdec = encoding
      ? createBodyDecoder(encoding, (b, t) => this.bytes(b, t), (e) => {
          if (!sink.settled()) sink.fail('BAD_ENCODING', `the response's ${encoding} data (content-encoding: ${encoding}) could not be decoded: ${e.message}`);
        })
      : null;
  }

  /** The body is (so far) read as an event stream. */
  get sse(): boolean {
    return this.mode === 'sse';
  }

  /** A chunk of the body as received (compressed or not) and its arrival time. */
  chunk(buf: Buffer, t: number): void {
    if (this.zdec) this.zdec.write(buf, t);
    else this.bytes(buf, t);
  }

  /** The body has ended at `t`: `then` gets what it was once every byte is decoded (not called after a failure). */
  end(t: number, then: (r: BodyEnd) => void): void {
    const done = () => {
      if (this.sink.settled()) return;
      const rest = this.text.end();
      if (this.mode === 'error') return then({ kind: 'error', text: (this.errBody + rest).slice(0, MAX_ERROR_CHARS) });
      if (this.mode === 'sniff') {
        this.held.push([rest, t]);
        this.heldText += rest;
        this.decided(sniffBody(this.heldText, true) ?? 'body');
      } else if (rest) {
        if (this.mode === 'sse') this.parser!.feed(rest, t);
        else this.add(rest);
      }
      if (this.sink.settled()) return;
      if (this.mode === 'sse') return then({ kind: 'sse' });
      const text = this.parts.join('');
      this.parts = [];
      then({ kind: 'body', text });
    };
    if (this.zdec) this.zdec.end(done);
    else done();
  }

  destroy(): void {
    this.zdec?.destroy();
  }

  private startSse(): 'sse' {
    this.parser = new SseParser({
      onEvent: (e, t) => this.sink.event(e, t),
      onError: (message) => {
        if (!this.sink.settled()) this.sink.fail('BAD_SSE', `invalid SSE: ${message}`);
      },
      onOverflow: (message) => {
        if (!this.sink.settled()) this.sink.fail('RESPONSE_TOO_LARGE', `${message}; llmperf stopped reading the response`);
      },
    });
    return 'sse';
  }

  /** Decoded bytes, with the arrival time of the chunk they came in. */
  private bytes(buf: Buffer, t: number): void {
    if (this.sink.settled()) return;
    const s = this.text.write(buf);
    switch (this.mode) {
      case 'sse':
        this.parser!.feed(s, t);
        return;
      case 'body':
        this.add(s);
        return;
      case 'error':
        if (this.errBody.length < MAX_ERROR_CHARS) this.errBody = (this.errBody + s).slice(0, MAX_ERROR_CHARS);
        return;
      case 'sniff': {
        this.held.push([s, t]);
        this.heldText += s;
        const kind = sniffBody(this.heldText, false);
        if (kind) this.decided(kind);
        return;
      }
    }
  }

  private add(s: string): void {
    if (s.length === 0) return;
    this.chars += s.length;
    if (this.chars > MAX_BODY_CHARS) {
      this.parts = [];
      this.sink.fail('RESPONSE_TOO_LARGE', `the response body exceeded ${MAX_BODY_CHARS} characters; llmperf stopped reading it`);
      return;
    }
    this.parts.push(s);
  }

  /** The kind is known: hand it what arrived meanwhile. */
  private decided(kind: 'sse' | 'body'): void {
    const held = this.held;
    this.held = [];
    this.heldText = '';
    if (kind === 'sse') {
      this.mode = this.startSse();
      for (const [s, t] of held) if (!this.sink.settled()) this.parser!.feed(s, t);
    } else {
      this.mode = 'body';
      for (const [s] of held) this.add(s);
    }
  }
}
