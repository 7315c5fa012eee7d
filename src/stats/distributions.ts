import { InputError } from '../core/errors.js';

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; relative error below 1e-14). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const z = x - 1;
  let a = c[0] as number;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += (c[i] as number) / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 500; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b). */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lnFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  // The continued fraction converges fast for x < (a+1)/(a+b+2); use the symmetry otherwise.
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(lnFront) * betaContinuedFraction(x, a, b)) / a;
  return 1 - (Math.exp(lnFront) * betaContinuedFraction(1 - x, b, a)) / b;
}

/** Standard normal CDF Φ(z), to full relative precision in both tails (the t tail with infinite df). */
export function normalCdf(z: number): number {
  return studentTTail(-z, Infinity);
}

/** Coefficients of normalQuantile (module constants: per call they were 4 arrays and 4 closures of garbage). */
const A0 = -3.969683028665376e1, A1 = 2.209460984245205e2, A2 = -2.759285104469687e2, A3 = 1.38357751867269e2;
const A4 = -3.066479806614716e1, A5 = 2.506628277459239;
const B0 = -5.447609879822406e1, B1 = 1.615858368580409e2, B2 = -1.556989798598866e2, B3 = 6.680131188771972e1, B4 = -1.328068155288572e1;
const C0 = -7.784894002430293e-3, C1 = -3.223964580411365e-1, C2 = -2.400758277161838, C3 = -2.549732539343734, C4 = 4.374664141464968, C5 = 2.938163982698783;
const D0 = 7.784695709041462e-3, D1 = 3.224671290700398e-1, D2 = 2.445134137142996, D3 = 3.754408661907416;

/** Standard normal quantile Φ⁻¹(p) (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  checkProbability(p);
  const pLow = 0.02425;
  if (p < pLow) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((C0 * q + C1) * q + C2) * q + C3) * q + C4) * q + C5) / ((((D0 * q + D1) * q + D2) * q + D3) * q + 1);
  }
  if (p > 1 - pLow) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -(((((C0 * q + C1) * q + C2) * q + C3) * q + C4) * q + C5) / ((((D0 * q + D1) * q + D2) * q + D3) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return ((((((A0 * r + A1) * r + A2) * r + A3) * r + A4) * r + A5) * q) / (((((B0 * r + B1) * r + B2) * r + B3) * r + B4) * r + 1);
}

/**
 * Stirling's remainder δ(x) = ln Γ(x) − [(x − ½) ln x − x + ½ ln 2π]: small, so differences of ln Γ at large
 * arguments keep their precision (ln Γ(5e6) ≈ 7e7 would lose 8 digits in a plain subtraction).
 */
function stirlingRemainder(x: number): number {
  if (x < 10) return logGamma(x) - ((x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI));
  const r = 1 / x;
  const r2 = r * r;
  // Asymptotic series (Abramowitz & Stegun 6.1.41); at x ≥ 10 the terms shown leave < 1e-17.
  return r * (1 / 12 - r2 * (1 / 360 - r2 * (1 / 1260 - r2 * (1 / 1680 - r2 * (1 / 1188 - (r2 * 691) / 360360)))));
}

/** ln Γ(a + b) − ln Γ(a) for a, b > 0, accurate also when a is huge and b small. */
export function logGammaRatio(a: number, b: number): number {
  if (a < 10 || a + b < 10) return logGamma(a + b) - logGamma(a);
  // (a+b−½) ln(a+b) − (a−½) ln a − b, rewritten to avoid subtracting large logarithms.
  return (a - 0.5) * Math.log1p(b / a) + b * Math.log(a + b) - b + stirlingRemainder(a + b) - stirlingRemainder(a);
}

/** ln of the Student-t density's constant Γ((ν+1)/2) / (Γ(ν/2) √(νπ)); ν = ∞ gives the normal's −½ ln 2π. */
function logTConstant(df: number): number {
  if (df === Infinity) return -0.5 * Math.log(2 * Math.PI);
  return logGammaRatio(df / 2, 0.5) - 0.5 * Math.log(df * Math.PI);
}

/**
 * ∫_a^∞ g(x) dx by exp-sinh (double-exponential) quadrature, x = a + exp(π/2 · sinh u): the step is halved
 * until two levels agree to 1e-15 relative. It keeps full relative precision however small the integral is, which
 * is why tail probabilities are computed this way rather than as 1 − cdf.
 */
function expSinhIntegral(g: (x: number) => number, a: number): number {
  const term = (u: number): number => {
    const e = (Math.PI / 2) * Math.sinh(u);
    if (e > 700) return 0;
    const s = Math.exp(e);
    const v = g(a + s);
    return v === 0 ? 0 : v * s * (Math.PI / 2) * Math.cosh(u);
  };
  // Sum over u = k·h for k of one parity (or all), walking outwards until the terms vanish.
  const sweep = (h: number, offset: number, stride: number): number => {
    let s = 0;
    for (const dir of [1, -1]) {
      for (let k = dir === 1 ? offset : offset - stride; ; k += dir * stride) {
        const u = k * h;
        if (Math.abs(u) > 7) break;
        const t = term(u);
        s += t;
        if (Math.abs(t) <= 1e-18 * Math.abs(s) && Math.abs(u) > 3) break;
      }
    }
    return s;
  };
  let h = 0.5;
  let sum = sweep(h, 0, 1);
  let prev = sum * h;
  for (let level = 0; level < 10; level++) {
    h /= 2;
    sum += sweep(h, 1, 2); // the new points lie halfway between the old ones
    const cur = sum * h;
    if (Math.abs(cur - prev) <= 1e-15 * Math.abs(cur) && level >= 2) return cur;
    prev = cur;
  }
  return prev;
}

/**
 * Upper tail P(T > t) of Student's t with `df` degrees of freedom, for any df > 0 (fractional, as Welch's;
 * Infinity gives the normal). Integrates the density (computed in logs) from t outwards, so tails like 1e-300
 * keep their relative precision and no normal approximation is switched in at large df.
 */
export function studentTTail(t: number, df: number): number {
  if (!(df > 0)) throw new InputError(`Expected \`df\` to be > 0, got ${df}`);
  if (Number.isNaN(t)) return NaN;
  if (t === Infinity) return 0;
  if (t === -Infinity) return 1;
  if (t < 0) return 1 - studentTTail(-t, df);
  const c = logTConstant(df);
  const half = df === Infinity ? 0 : (df + 1) / 2;
  const logDensity = df === Infinity ? (x: number): number => c - (x * x) / 2 : (x: number): number => c - half * Math.log1p((x * x) / df);
  if (t === 0) return 0.5;
  // Near the centre integrate the short piece [0, t] instead (the two pieces add up to ½ exactly).
  if (t < 1) return 0.5 - centralIntegral(logDensity, t);
  return expSinhIntegral((x) => Math.exp(logDensity(x)), t);
}

/** Positive nodes and weights of 16-point Gauss–Legendre on [−1, 1]. */
const GL_NODES = [
  0.09501250983763745, 0.2816035507792589, 0.45801677765722737, 0.6178762444026438,
  0.755404408355003, 0.8656312023878318, 0.9445750230732326, 0.9894009349916499,
];
const GL_WEIGHTS = [
  0.18945061045506859, 0.1826034150449236, 0.16915651939500262, 0.14959598881657676,
  0.12462897125553403, 0.09515851168249259, 0.062253523938647706, 0.027152459411754037,
];

/** ∫_0^t exp(logDensity) by 16-point Gauss–Legendre on 4 panels (the density is smooth and bounded on [0, 1]). */
function centralIntegral(logDensity: (x: number) => number, t: number): number {
  let s = 0;
  const panels = 4;
  const w = t / panels;
  for (let p = 0; p < panels; p++) {
    const mid = (p + 0.5) * w;
    for (let i = 0; i < GL_NODES.length; i++) {
      const dx = ((GL_NODES[i] as number) * w) / 2;
      s += (GL_WEIGHTS[i] as number) * (Math.exp(logDensity(mid - dx)) + Math.exp(logDensity(mid + dx)));
    }
  }
  return (s * w) / 2;
}

/** Student-t CDF P(T ≤ t) with `df` degrees of freedom (df may be fractional; Infinity gives the normal). */
export function studentTCdf(t: number, df: number): number {
  return studentTTail(-t, df);
}

/** Two-sided p-value 2·P(T > |t|), computed from the tail (no 1 − cdf cancellation), capped at 1. */
export function studentTTwoSided(t: number, df: number): number {
  return Math.min(1, 2 * studentTTail(Math.abs(t), df));
}

/** Student-t quantile: the t with P(T ≤ t) = p (bisection on the CDF, to 1e-12). */
export function studentTQuantile(p: number, df: number): number {
  checkProbability(p);
  if (!(df > 0)) throw new InputError(`Expected \`df\` to be > 0, got ${df}`);
  if (p === 0.5) return 0;
  // Solve P(T > t) = q on the upper half, from the tail (exact however small q is), then mirror.
  const upper = p > 0.5;
  const q = upper ? 1 - p : p;
  let lo = 0;
  let hi = 2;
  while (studentTTail(hi, df) > q) {
    lo = hi;
    hi *= 2;
    if (hi > 1e300) break;
  }
  for (let i = 0; i < 2000 && hi - lo > 1e-13 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (studentTTail(mid, df) > q) lo = mid;
    else hi = mid;
  }
  const t = (lo + hi) / 2;
  return upper ? t : -t;
}

function checkProbability(p: number): void {
  if (!(p > 0 && p < 1)) throw new InputError(`Expected probability \`p\` in (0, 1), got ${p}`);
}

/**
 * Regularized incomplete gamma functions P(a, x) and Q(a, x) = 1 − P(a, x), each computed directly where it
 * is small (series for x < a + 1, Lentz continued fraction otherwise), so neither loses precision in its tail.
 */
export function regularizedGamma(a: number, x: number): { p: number; q: number } {
  if (!(a > 0)) throw new InputError(`Expected \`a\` > 0, got ${a}`);
  if (!(x > 0)) return { p: 0, q: 1 };
  if (x === Infinity) return { p: 1, q: 0 };
  const lnFront = a * Math.log(x) - x - logGamma(a);
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 10_000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-17) break;
    }
    const p = Math.exp(lnFront) * sum;
    return { p, q: 1 - p };
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  const q = Math.exp(lnFront) * h;
  return { p: 1 - q, q };
}

/** Chi-square upper tail P(X > x) with `df` degrees of freedom. */
export function chiSquareTail(x: number, df: number): number {
  return regularizedGamma(df / 2, x / 2).q;
}

/** Chi-square quantile: the x with P(X ≤ x) = p (bisection on whichever tail is smaller, to 1e-13 relative). */
export function chiSquareQuantile(p: number, df: number): number {
  checkProbability(p);
  if (!(df > 0)) throw new InputError(`Expected \`df\` to be > 0, got ${df}`);
  const below = (x: number): boolean => {
    const g = regularizedGamma(df / 2, x / 2);
    return p < 0.5 ? g.p < p : g.q > 1 - p;
  };
  let lo = 0;
  let hi = Math.max(1, df);
  while (below(hi)) {
    lo = hi;
    hi *= 2;
  }
  for (let i = 0; i < 2000 && hi - lo > 1e-13 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (below(mid)) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
