/**
 * The one redaction rule. Every place that logs, stores or reports a request, the options or the
 * command line goes through this module: --debug lines, run.json (argv, options), summary.json,
 * requests.sqlite's runs row, report.html, --summary-export, `inspect`, perf's files and notes,
 * W&B configs, k8s manifests.
 *
 * A name "looks secret" when, after its benign words are set aside (max_tokens, tokenizer,
 * keep-alive, ...), it contains one of: authorization, cookie (so set-cookie), key, token, secret,
 * auth, password, passwd, credential, session, signature; and every `x-portkey-*` header (the
 * Portkey gateway carries keys and configs in them). Names are compared case-insensitively with
 * `-`, `_`, `.` and spaces ignored, so `X-Goog-Api-Key`, `api-key` (Azure), `X_UPSTREAM_AUTH`,
 * `--wandb-api-key` and `LLMPERF_API_KEY` all match.
 *
 * What is hidden: the value of a header, option, flag, environment variable or JSON member whose
 * name looks secret; `KEY=VALUE` / `KEY: VALUE` text whose KEY looks secret; the password of a URL
 * (`http://user:***@host`) and URL query parameters whose name looks secret (`?key=***`).
 */

/** What replaces a secret value. */
export const REDACTED = '[REDACTED]';

const SECRET_WORD = /authorization|cookie|key|token|secret|auth|password|passwd|credential|session|signature/;
/** Words that contain a secret word but name no secret: token counts, tokenizers, keep-alive. */
const BENIGN_WORD = /tokenizer|tokenize|tiktoken|tokens|tokenid|keepalive|envfromsecret|monkey|keyboard/g;

/** Whether a header, option, flag, JSON member or environment variable of this name holds a secret. */
export function isSecretName(name: string): boolean {
  const n = name.toLowerCase().replace(/^-+/, '').replace(/[-_.\s]/g, '');
  if (n.startsWith('xportkey')) return true;
  return SECRET_WORD.test(n.replace(BENIGN_WORD, ' '));
}

/** Headers with the values of secret-looking names replaced (names kept). */
export function redactHeaders(h: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) out[k] = isSecretName(k) ? REDACTED : redactText(v);
  return out;
}

/**
 * A URL (or any text holding URLs) with passwords and secret-looking query parameters hidden:
 * `http://u:p@h/x?api_key=s&a=1` -> `http://u:***@h/x?api_key=***&a=1`.
 */
export function redactUrl(s: string): string {
  if (!s.includes('://') && !s.includes('?')) return s;
  return s
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:)[^@\s/]+@/gi, '$1***@')
    .replace(/([?&])([^=&#\s"']+)=([^&#\s"']*)/g, (m, sep: string, k: string) => (isSecretName(decodeSafe(k)) ? `${sep}${k}=***` : m));
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Free text that may carry a secret: `KEY=VALUE` / `KEY: VALUE` with a secret-looking KEY, a JSON
 * object (its secret-looking members), URLs. Anything else is returned unchanged.
 */
export function redactText(s: string): string {
  const t = s.trim();
  if ((t.startsWith('{') && t.endsWith('}')) || (t.startsWith('[') && t.endsWith(']'))) {
    try {
      return JSON.stringify(redactDeep(JSON.parse(t)));
    } catch {
      // not JSON: redact "name": "value" pairs that look like JSON members
      return s.replace(/("([^"\\]*)"\s*:\s*)"(?:[^"\\]|\\.)*"/g, (m, head: string, k: string) => (isSecretName(k) ? `${head}"${REDACTED}"` : m));
    }
  }
  const kv = /^([^=:\s]+)(\s*[=:]\s*)([\s\S]*)$/.exec(s);
  if (kv && isSecretName(kv[1]!)) return `${kv[1]}${kv[2]!.includes('=') ? '=' : ': '}${REDACTED}`;
  return redactUrl(s);
}

/**
 * Options, configs, headers or any JSON value with secrets hidden: a string under a secret-looking
 * member name (at any depth below it) becomes [REDACTED]; other strings go through redactText's
 * URL rule. Numbers and booleans are kept (max_tokens and token counts are numbers anyway).
 */
export function redactDeep<T>(v: T): T {
  return walk(v, false) as T;
}

function walk(v: unknown, secret: boolean): unknown {
  if (typeof v === 'string') return secret ? REDACTED : redactUrl(v);
  if (Array.isArray(v)) return v.map((x) => walk(x, secret));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = walk(x, secret || isSecretName(k));
    return out;
  }
  return v;
}

/**
 * A command line as stored (run.json) or shown: the value of every flag whose name looks secret
 * (`--api-key X`, `--wandb-api-key=X`), every `KEY=VALUE` argument whose KEY looks secret (the
 * values of --header, -H, --headers, -e, --env), secret members of JSON arguments (--extra-args)
 * and URL passwords.
 */
export function redactArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  let secretNext = false;
  for (const a of argv) {
    if (secretNext) {
      secretNext = false;
      if (!isFlag(a)) {
        out.push(REDACTED);
        continue;
      }
    }
    if (isFlag(a)) {
      const eq = a.indexOf('=');
      const flag = eq > 0 ? a.slice(0, eq) : a;
      if (isSecretName(flag)) {
        if (eq > 0) out.push(`${flag}=${REDACTED}`);
        else {
          out.push(a);
          secretNext = true;
        }
      } else out.push(eq > 0 ? `${flag}=${redactText(a.slice(eq + 1))}` : a);
      continue;
    }
    out.push(redactText(a));
  }
  return out;
}

function isFlag(t: string): boolean {
  return t.startsWith('-') && t !== '-' && t !== '--' && !/^-\d|^-\.\d/.test(t);
}

/** `KEY=VALUE` environment entries (k8s manifests, -e lists) with secret-looking values hidden. */
export function redactEnv(env: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) out[k] = isSecretName(k) ? REDACTED : redactUrl(v);
  return out;
}
