import { nice, tickStep, ticks } from 'd3-array';
import { scaleLog } from 'd3-scale';

// Ticks come from d3-array and d3-scale (1, 2 or 5 × 10^k steps, computed without float noise: 0.3, not
// 0.30000000000000004). What stays here is the report's policy on top: padding a single value, powers of two on
// log axes of units and batch sizes, thinning log ticks to 1-2-5 or whole decades, and the tick labels.

/** A "nice" step (1, 2 or 5 × 10^k, d3's `tickStep`) giving about `count` intervals over `span`. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  return tickStep(0, span, Math.max(1, count));
}

/** Decimal places that show a multiple of `step` exactly (0 for steps ≥ 1). */
export function stepDecimals(step: number): number {
  if (!(step > 0) || Number.isInteger(step)) return 0;
  for (let d = 1; d < 12; d++) {
    const x = step * 10 ** d;
    if (Math.abs(x - Math.round(x)) < 1e-6 * Math.max(1, x)) return d;
  }
  return 12;
}

/** The domain widened to whole nice steps (d3's `nice`); a single value gets padded, a non-finite end gives [0, 1]. */
export function niceDomain(lo: number, hi: number, count = 5): [number, number] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  if (lo > hi) [lo, hi] = [hi, lo];
  if (lo === hi) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.05;
    lo -= pad;
    hi += pad;
  }
  const [a, b] = nice(lo, hi, count);
  return [a, b];
}

/** Ticks at multiples of a nice step inside [lo, hi] (d3's `ticks`; both ends included when they are multiples). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (lo > hi) [lo, hi] = [hi, lo];
  if (lo === hi) return [lo];
  return ticks(lo, hi, count);
}

/** Which base a log axis over [lo, hi] counts in: 2 for up to 12 octaves from 1 up (units, batch sizes), else 10. */
export function logBase(lo: number, hi: number): 2 | 10 {
  const octaves = Math.log2(hi / lo);
  return octaves >= 1 && octaves <= 12 && lo >= 1 ? 2 : 10;
}

/** The mantissa of v in base 10 (1 ≤ m < 10), rounded so that 2e-4 gives 2. */
function mantissa(v: number): number {
  return Number((v / 10 ** Math.floor(Math.log10(v) + 1e-12)).toPrecision(9));
}

/**
 * Ticks of a logarithmic axis over [lo, hi] (lo > 0) from d3's log scale: powers of 2 in base 2 (the default for up to
 * 12 octaves from 1 up), else in base 10 the 1-2-5 ticks of each decade under three decades and whole decades beyond.
 * Thinned to at most `max` ticks.
 */
export function logTicks(lo: number, hi: number, max = 10, base: 2 | 10 = logBase(Math.min(lo, hi), Math.max(lo, hi))): number[] {
  if (!(lo > 0) || !(hi > 0)) return [];
  if (lo > hi) [lo, hi] = [hi, lo];
  if (lo === hi) return [lo];
  let out = scaleLog().base(base).domain([lo, hi]).ticks(Math.max(2, max));
  if (base === 10) {
    // d3 gives every k × 10^n (k = 1…9) for few decades; labels read best at 1, 2 and 5, or at whole decades.
    const keep = Math.log10(hi / lo) < 3 ? [1, 2, 5] : [1];
    const kept = out.filter((v) => keep.includes(mantissa(v)));
    // A narrow domain (300–500) gets d3's linear-looking ticks, which have other mantissas: keep those.
    if (kept.length >= 2) out = kept;
  }
  if (out.length === 0) out = [lo, hi];
  if (out.length > max) {
    const every = Math.ceil(out.length / max);
    out = out.filter((_, i) => i % every === 0);
  }
  return out;
}

/** A tick label: integers with thousands separators, others with the decimals their step needs (or 3 significant digits). */
export function formatTick(v: number, step?: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-4) return Number(v.toPrecision(3)).toExponential().replace('e+', 'e');
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  if (step !== undefined && step > 0) return v.toFixed(stepDecimals(step));
  return String(Number(v.toPrecision(3)));
}
