/**
 * The failure taxonomy: every failed request carries exactly one of these stable codes, in the
 * summary, the `error_code` metric tag and the SQLite store. Listed again in the README.
 */
export const ERROR_CODES = {
  HTTP_429: 'the server answered 429 Too Many Requests (rate limited)',
  HTTP_4XX: 'the server answered another 4xx status (bad request, auth, not found...)',
  HTTP_5XX: 'the server answered a 5xx status',
  CONN_REFUSED: 'the connection was refused (nothing listening at the URL)',
  CONN_RESET: 'the connection was reset or closed before the response ended',
  CONNECT_TIMEOUT: 'the TCP/TLS connection took longer than --connect-timeout',
  READ_TIMEOUT: 'no byte arrived for longer than --read-timeout (headers or body)',
  TOTAL_TIMEOUT: 'the whole request took longer than the per-request timeout',
  DNS: 'the host name could not be resolved',
  STREAM_INCOMPLETE: 'the stream ended without its terminator ([DONE] or a finish_reason)',
  BAD_SSE: 'a line of the event stream is not valid SSE',
  BAD_JSON: 'a data event or the response body is not valid JSON',
  BAD_ENCODING: 'the response has a content-encoding llmperf does not decode (it decodes gzip, deflate, br), or its compressed bytes are corrupt',
  RESPONSE_TOO_LARGE: 'a line of the stream or the response body exceeded llmperf\'s limit (16 Mi characters per line, 64 MiB per body)',
  SERVER_ERROR: 'the server sent an error object inside a 200 response or stream',
  ABORTED: 'the request was cancelled because the run stopped (hard stop / second signal)',
  SCRIPT_ERROR: 'the iteration threw an exception in the script',
  REQUEST_ERROR: 'the request could not be built or sent (bad parameters, unknown API)',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Classifies an HTTP status (>= 400) to its code. */
export function httpStatusCode(status: number): ErrorCode {
  if (status === 429) return 'HTTP_429';
  if (status >= 500) return 'HTTP_5XX';
  return 'HTTP_4XX';
}

/** Classifies a transport error from undici or node:net. */
export function transportErrorCode(err: unknown): ErrorCode {
  const e = err as { code?: string; cause?: { code?: string }; name?: string } | undefined;
  const code = e?.code ?? e?.cause?.code ?? '';
  switch (code) {
    case 'ECONNREFUSED':
      return 'CONN_REFUSED';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return 'CONN_RESET';
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return 'CONNECT_TIMEOUT';
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return 'READ_TIMEOUT';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'DNS';
    case 'UND_ERR_ABORTED':
    case 'ABORT_ERR':
      return 'ABORTED';
    default:
      return 'CONN_RESET';
  }
}
