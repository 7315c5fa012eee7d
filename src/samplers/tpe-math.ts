/** Numerics for the Tree-structured Parzen Estimator: log normal-tail masses that do not underflow. */

const LOG_HALF = Math.log(0.5);
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** log(erfc(z)) for z ≥ 0 (Numerical Recipes' Chebyshev fit, relative error < 1.2e-7), computed in log space. */
function logErfcPos(z: number): number {
  const t = 1 / (1 + 0.5 * z);
  const poly = -z * z - 1.26551223
    + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
    + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  return Math.log(t) + poly;
}

/** log P(Z > x) for a standard normal Z and x ≥ 0. */
function logUpperTail(x: number): number {
  return LOG_HALF + logErfcPos(x / Math.SQRT2);
}

/** P(Z ≤ x) for a standard normal Z. */
export function normCdf(x: number): number {
  // One call for both signs (the same values): a branch first taken after V8 had optimised a caller (GP's EI, with
  // normCdf inlined) deoptimised it for want of feedback on the call in it, again and again.
  const t = Math.exp(logUpperTail(Math.abs(x)));
  return x >= 0 ? 1 - t : t;
}

/** Beyond FAR standard deviations the upper tail, as logUpperTail computes it, is below 2⁻⁵⁴ (tpe.test.ts). */
export const FAR = 9;

/** log P(a < Z < b) for a standard normal Z and a < b, accurate far into the tails. */
export function logNormMass(a: number, b: number): number {
  if (!(b > a)) return -Infinity;
  let lm: number;
  if (a >= 0 || b <= 0) {
    // Both bounds in one tail: subtract the smaller tail from the larger one, in log space.
    const lo = a >= 0 ? a : -b;
    const hi = a >= 0 ? b : -a;
    const la = logUpperTail(lo);
    const lb = hi === Infinity ? -Infinity : logUpperTail(hi);
    const d = Math.exp(lb - la);
    lm = d < 1 ? la + Math.log1p(-d) : -Infinity;
  } else if (a <= -FAR && b >= FAR) {
    // Both tails below 2⁻⁵⁴: 1 − qa − qb rounds to 1 in doubles, so the log below would be exactly 0 (the usual case
    // for a kernel well inside its domain: at 1,000 trials most of TPE's normalising masses).
    lm = 0;
  } else {
    const qa = a === -Infinity ? 0 : Math.exp(logUpperTail(-a));
    const qb = b === Infinity ? 0 : Math.exp(logUpperTail(b));
    lm = Math.log(Math.max(0, 1 - qa - qb));
  }
  if (lm === -Infinity || Number.isNaN(lm)) {
    // Precision lost on a very narrow interval: density at the inner end × width.
    const m = a >= 0 ? a : b <= 0 ? b : 0;
    return -0.5 * m * m - LOG_SQRT_2PI + Math.log(b - a);
  }
  return lm;
}

/** log of the standard normal density. */
export function logNormPdf(z: number): number {
  return -0.5 * z * z - LOG_SQRT_2PI;
}

/** log Σ exp(xs), stable. */
export function logSumExp(xs: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < xs.length; i++) if ((xs[i] as number) > m) m = xs[i] as number;
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += Math.exp((xs[i] as number) - m);
  return m + Math.log(s);
}

/** Optuna's default split size: min(ceil(0.1·n), 25). */
export function defaultGamma(n: number): number {
  return Math.min(Math.ceil(0.1 * n), 25);
}

/** Optuna's default observation weights, oldest first: a ramp for old trials, flat for the 25 newest. */
export function defaultWeights(n: number): number[] {
  if (n === 0) return [];
  if (n < 25) return Array<number>(n).fill(1);
  const ramp = n - 25;
  const out: number[] = [];
  // numpy.linspace(1/n, 1, num=ramp) includes both ends.
  for (let i = 0; i < ramp; i++) out.push(ramp === 1 ? 1 / n : 1 / n + ((1 - 1 / n) * i) / (ramp - 1));
  for (let i = 0; i < 25; i++) out.push(1);
  return out;
}
