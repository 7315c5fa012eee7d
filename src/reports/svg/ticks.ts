/** A "nice" step (1, 2 or 5 × 10^k) giving about `count` intervals over `span`. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  const e = 1e-9; // 0.04 / 4 is 0.010000000000000002: still a step of 0.01
  return (f <= 1 + e ? 1 : f <= 2 + e ? 2 : f <= 5 + e ? 5 : 10) * mag;
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

/** Rounds away floating-point noise (0.30000000000000004 → 0.3) at a step's precision. */
function clean(v: number, step: number): number {
  const d = stepDecimals(step) + 2;
  return Number(v.toFixed(d)) || 0; // `|| 0` turns -0 into 0
}

/** The domain widened to whole nice steps: [floor(lo/step)·step, ceil(hi/step)·step]; a single value gets padded. */
export function niceDomain(lo: number, hi: number, count = 5): [number, number] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  if (lo > hi) [lo, hi] = [hi, lo];
  if (lo === hi) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.05;
    lo -= pad;
    hi += pad;
  }
  const step = niceStep(hi - lo, count);
  return [clean(Math.floor(lo / step + 1e-9) * step, step), clean(Math.ceil(hi / step - 1e-9) * step, step)];
}

/** Ticks at multiples of a nice step inside [lo, hi] (both ends included when they are multiples). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (lo > hi) [lo, hi] = [hi, lo];
  if (lo === hi) return [lo];
  const step = niceStep(hi - lo, count);
  const out: number[] = [];
  const first = Math.ceil(lo / step - 1e-9);
  const last = Math.floor(hi / step + 1e-9);
  for (let i = first; i <= last; i++) out.push(clean(i * step, step));
  return out;
}

/**
 * Ticks of a logarithmic axis over [lo, hi] (lo > 0): powers of 2 when the range spans under 10 octaves of
 * them (hyperparameters like units and batch sizes), else powers of 10 (1, 2, 5 × 10^k when few decades).
 * Thinned to at most `max` ticks.
 */
export function logTicks(lo: number, hi: number, max = 10): number[] {
  if (!(lo > 0) || !(hi > 0)) return [];
  if (lo > hi) [lo, hi] = [hi, lo];
  const eps = 1e-9;
  const within = (v: number): boolean => v >= lo * (1 - eps) && v <= hi * (1 + eps);
  let out: number[] = [];
  const octaves = Math.log2(hi / lo);
  if (octaves >= 1 && octaves <= 12 && lo >= 1) {
    for (let k = Math.ceil(Math.log2(lo) - eps); k <= Math.floor(Math.log2(hi) + eps); k++) out.push(2 ** k);
  } else {
    const decades = Math.log10(hi / lo);
    const mults = decades < 3 ? [1, 2, 5] : [1];
    for (let k = Math.floor(Math.log10(lo)) - 1; k <= Math.ceil(Math.log10(hi)) + 1; k++) {
      for (const m of mults) {
        const v = Number((m * 10 ** k).toPrecision(12));
        if (within(v)) out.push(v);
      }
    }
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
