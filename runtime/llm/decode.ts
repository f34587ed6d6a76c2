/**
 * What a response body holds and how it is encoded, decided on the thread that timestamps it.
 *
 *  - `contentEncoding`: the Content-Encoding header -> the one encoding llmperf decodes (gzip,
 *    deflate, br), none (absent or identity), or the header as given when it is anything else
 *    (the request then fails as BAD_ENCODING with a message naming content-encoding).
 *  - `createBodyDecoder`: a node:zlib decoder fed with the compressed chunks as they arrive. Each
 *    chunk's arrival time goes with the decoded bytes it yields: zlib works on the libuv thread
 *    pool and answers a moment later, but the time an event carries is when its compressed bytes
 *    arrived, never when they were decoded.
 *  - `sniffBody`: whether a body whose content type is not text/event-stream is an event stream
 *    anyway (FastAPI's StreamingResponse without media_type sends SSE as text/plain; some
 *    gateways drop the header) or one document, from its first characters.
 *
 * Grammar of the sniff (after an optional byte order mark and any whitespace):
 *    `{` or `[`                                -> a JSON body
 *    `:`                                       -> SSE (a comment line)
 *    `data`, `event`, `id` or `retry`, then `:` or a line end -> SSE
 *    anything else                             -> a body (parsed by the adapter's parseBody)
 * A prefix of a field name is undecided until more text arrives (or the body ends: a body).
 */
import zlib from 'node:zlib';

export type Encoding = 'gzip' | 'deflate' | 'br';

/** The encoding to decode, null for none, or `{ unsupported }` with the header as sent. */
export function contentEncoding(header: string | string[] | undefined): Encoding | null | { unsupported: string } {
  if (header === undefined) return null;
  const v = (Array.isArray(header) ? header.join(', ') : header).trim().toLowerCase();
  if (v === '' || v === 'identity') return null;
  if (v === 'gzip' || v === 'x-gzip') return 'gzip';
  if (v === 'deflate') return 'deflate';
  if (v === 'br') return 'br';
  return { unsupported: v };
}

/** The media type of a Content-Type header, lower case, without parameters; null when absent. */
export function mediaType(header: string | string[] | undefined): string | null {
  if (header === undefined) return null;
  const v = Array.isArray(header) ? (header[0] ?? '') : header;
  const i = v.indexOf(';');
  const t = (i < 0 ? v : v.slice(0, i)).trim().toLowerCase();
  return t === '' ? null : t.slice(0, 100);
}

export interface BodyDecoder {
  /** a compressed chunk and the time it arrived */
  write(chunk: Buffer, t: number): void;
  /** the body ended: `onEnd` once every decoded byte has been handed over */
  end(onEnd: () => void): void;
  destroy(): void;
}

/**
 * A decoder for `enc`: `onData(bytes, t)` with the decoded bytes and the arrival time of the
 * compressed chunk they came from; `onError` once for corrupt data. `deflate` accepts both the
 * zlib format (RFC 1950, what the name means) and raw deflate (RFC 1951, what some servers send).
 */
export function createBodyDecoder(enc: Encoding, onData: (b: Buffer, t: number) => void, onError: (e: Error) => void): BodyDecoder {
  /** arrival times of the chunks written and not yet fully decoded, oldest first */
  const times: number[] = [];
  let lastT = 0;
  let z: zlib.Gunzip | zlib.Inflate | zlib.InflateRaw | zlib.BrotliDecompress | null = null;
  let failed = false;
  const open = (first: Buffer): typeof z => {
    const d =
      enc === 'gzip'
        ? zlib.createGunzip()
        : enc === 'br'
          ? zlib.createBrotliDecompress()
          : (first[0]! & 0x0f) === 8 && ((first[0]! << 8) | (first[1] ?? 0)) % 31 === 0
            ? zlib.createInflate()
            : zlib.createInflateRaw();
    d.on('data', (b: Buffer) => {
      if (!failed) onData(b, times.length ? times[0]! : lastT);
    });
    d.on('error', (e: Error) => {
      if (failed) return;
      failed = true;
      onError(e);
    });
    return d;
  };
  return {
    write(chunk, t) {
      if (failed || chunk.length === 0) return;
      const d = (z ??= open(chunk))!;
      lastT = t;
      times.push(t);
      d.write(chunk, () => void times.shift());
    },
    end(onEnd) {
      if (failed) return;
      if (!z) {
        onEnd();
        return;
      }
      z.once('end', () => {
        if (!failed) onEnd();
      });
      z.end();
    },
    destroy() {
      failed = true;
      z?.destroy();
    },
  };
}

const FIELDS = ['data', 'event', 'id', 'retry'];

/** 'sse', 'body', or null while the text so far cannot tell (see the grammar above). `final`: the body has ended. */
export function sniffBody(text: string, final: boolean): 'sse' | 'body' | null {
  let i = 0;
  const n = text.length;
  if (n > 0 && text.charCodeAt(0) === 0xfeff) i = 1;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
    i++;
  }
  if (i >= n) return final ? 'body' : null;
  const c = text[i];
  if (c === '{' || c === '[') return 'body';
  if (c === ':') return 'sse';
  let undecided = false;
  for (const f of FIELDS) {
    if (text.startsWith(f, i)) {
      const next = text[i + f.length];
      if (next === ':' || next === '\n' || next === '\r') return 'sse';
      if (next === undefined) undecided = true;
    } else if (f.startsWith(text.slice(i, i + f.length))) undecided = true;
  }
  return undecided && !final ? null : 'body';
}

/**
 * A body's text fit for a message: control characters dropped; text that is mostly not text
 * (compressed or binary bytes read as UTF-8) described instead of shown.
 */
export function printable(s: string, encoding: string | null = null): string {
  const head = s.slice(0, 200);
  let bad = 0;
  for (let i = 0; i < head.length; i++) {
    const c = head.charCodeAt(i);
    if (c === 0xfffd || (c < 32 && c !== 9 && c !== 10 && c !== 13)) bad++;
  }
  if (head.length > 0 && bad / head.length > 0.1) {
    return `<${s.length} characters of binary data (content-encoding: ${encoding ?? 'none'}): is the response compressed in a way llmperf was not told about?>`;
  }
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '');
}
