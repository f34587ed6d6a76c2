/** The distributions the executors draw from, on the project's seeded PRNG. Pure. */
import { mulberry32, type Rng } from '../rng.ts';

export { mulberry32, type Rng };



/** Exponential(1): inter-arrival gap of a unit-rate Poisson process. */
export function exp1(rng: Rng): number {
  return -Math.log(1 - rng());
}

function normal(rng: Rng): number {
  const u = 1 - rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Gamma(shape k, scale 1/k): mean 1, coefficient of variation 1/sqrt(k) (Marsaglia-Tsang). */
export function gammaMean1(rng: Rng, k: number): number {
  if (k < 1) {
    // boost: Gamma(k) = Gamma(k+1) * U^(1/k)
    return gammaMean1(rng, k + 1) * ((k + 1) / k) * Math.pow(1 - rng(), 1 / k);
  }
  const d = k - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng();
    if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return (d * v) / k;
  }
}
