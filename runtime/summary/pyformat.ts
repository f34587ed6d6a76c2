/**
 * Numbers as Python writes them, for files that must read the same as evalscope's:
 *  - pyRound(x, n): Python's round(x, n): the double nearest to x rounded at n decimals, computed from
 *    x's exact binary value (so 2.675 -> 2.67, as its double is 2.67499...), exact ties to even
 *    (0.125 -> 0.12). Math.round(x * 10^n) / 10^n gets both wrong.
 *  - pyFloatRepr(x): repr() of a Python float (5 -> "5.0", 0.1 -> "0.1", 1e-05), for folder names
 *    such as evalscope's rate_5.0_number_100.
 *  - pyJson(v, indent): json.dumps(v, indent=4, ensure_ascii=False) for the values these files hold,
 *    except that NaN and infinities are written as null (Python writes the non-JSON literal NaN).
 * Pure functions, no I/O.
 */

/** Python's round(x, ndigits) for ndigits >= 0. */
export function pyRound(x: number, ndigits: number): number {
  if (!Number.isFinite(x)) return x;
  if (ndigits > 20) return x;
  // toFixed(100) is x's exact decimal expansion whenever x >= 2^-48 (every value these files hold)
  const exact = Math.abs(x).toFixed(100);
  const dot = exact.indexOf('.');
  const cut = dot + 1 + ndigits;
  const kept = exact.slice(0, ndigits === 0 ? dot : cut);
  const rest = exact.slice(cut).replace(/0+$/, '');
  let up: boolean;
  if (rest === '') up = false;
  else if (rest[0]! > '5') up = true;
  else if (rest[0]! < '5') up = false;
  else if (rest.length > 1) up = true;
  else {
    // an exact tie: to even
    const last = kept.replace('.', '').slice(-1);
    up = Number(last) % 2 === 1;
  }
  let digits = kept.replace('.', '');
  if (up) digits = addOne(digits);
  const intLen = digits.length - ndigits;
  const s = ndigits === 0 ? digits : `${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
  const v = Number(s);
  return x < 0 ? -v : v;
}

function addOne(digits: string): string {
  const a = digits.split('');
  let i = a.length - 1;
  while (i >= 0) {
    if (a[i] === '9') {
      a[i] = '0';
      i--;
    } else {
      a[i] = String(Number(a[i]) + 1);
      return a.join('');
    }
  }
  return '1' + a.join('');
}

/** repr() of a Python float. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(x);
  // Python switches to exponent notation below 1e-4 and from 1e16
  if (abs < 1e-4 || abs >= 1e16) {
    const [m, e] = x.toExponential().split('e') as [string, string];
    const exp = Number(e);
    return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const s = String(x);
  return s.includes('.') || s.includes('e') ? s : `${s}.0`;
}

/** json.dumps(v, indent=indent, ensure_ascii=False), NaN/Infinity written as null. */
export function pyJson(v: unknown, indent = 4): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? null : x), indent);
}
