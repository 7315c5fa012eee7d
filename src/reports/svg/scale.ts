import type { DistributionSpec } from '../../space/distribution.js';
import { formatTick, logTicks, niceStep, niceTicks } from './ticks.js';

/** A map from data values to pixels along one axis, with its ticks. */
export interface Scale {
  readonly kind: 'linear' | 'log';
  readonly domain: readonly [number, number];
  readonly range: readonly [number, number];
  /** Data value → pixel. */
  map(v: number): number;
  /** Tick values inside the domain. */
  ticks(count?: number): number[];
  /** A tick label. */
  format(v: number): string;
}

/** A linear scale; a zero-width domain is widened so every value maps to the middle of the range. */
export function linearScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  let [d0, d1] = domain;
  if (d0 === d1) {
    d0 -= 0.5;
    d1 += 0.5;
  }
  const [r0, r1] = range;
  const k = (r1 - r0) / (d1 - d0);
  return {
    kind: 'linear',
    domain: [d0, d1],
    range,
    map: (v) => r0 + (v - d0) * k,
    ticks: (count = 5) => niceTicks(d0, d1, count),
    format: (v) => formatTick(v, niceStep(Math.abs(d1 - d0), 5)),
  };
}

/** A logarithmic scale (domain > 0); a zero-width domain is widened by a factor of 2 either way. */
export function logScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  let [d0, d1] = domain;
  if (!(d0 > 0) || !(d1 > 0)) throw new RangeError(`A log scale needs a positive domain, got [${d0}, ${d1}]`);
  if (d0 === d1) {
    d0 /= 2;
    d1 *= 2;
  }
  const [r0, r1] = range;
  const l0 = Math.log(d0);
  const k = (r1 - r0) / (Math.log(d1) - l0);
  return {
    kind: 'log',
    domain: [d0, d1],
    range,
    map: (v) => r0 + (Math.log(v) - l0) * k,
    ticks: (count = 8) => logTicks(d0, d1, Math.max(2, count)),
    format: (v) => formatTick(v),
  };
}

/** Whether v is 2^k, or 1.5 × 2^k when midpoints are allowed (the series 128, 192, 256, 384, …). */
function powerOfTwo(v: number, midpoints: boolean): boolean {
  if (!(v > 0)) return false;
  const isPow = (x: number): boolean => Math.abs(Math.log2(x) - Math.round(Math.log2(x))) < 1e-9;
  return isPow(v) || (midpoints && isPow(v / 3));
}

/**
 * Whether an axis reads best on a log scale: the distribution says `log: true`, or the values (positive, at
 * least 3 distinct, spanning a factor ≥ 4; a series' or numeric categorical's own values when given) are powers of two (with or without 1.5×
 * midpoints), or form a
 * geometric series (consecutive ratios ≥ 1.5 that differ by under 10%).
 */
export function isLogAxis(dist: DistributionSpec | undefined, values: readonly number[]): boolean {
  if (dist && (dist.type === 'int' || dist.type === 'float') && dist.log === true) return true;
  if (dist && (dist.type === 'int' || dist.type === 'float')) return false;
  // A finite domain decides by its own values (points between them, e.g. from a line search, do not count).
  if (dist && dist.type === 'series') values = dist.values;
  if (dist && dist.type === 'categorical' && dist.choices.every((c) => typeof c === 'number')) values = dist.choices as number[];
  const vs = [...new Set(values.filter(Number.isFinite))].sort((a, b) => a - b);
  if (vs.length < 3 || !((vs[0] as number) > 0)) return false;
  if ((vs[vs.length - 1] as number) / (vs[0] as number) < 4) return false;
  if (vs.every((v) => powerOfTwo(v, true))) return true;
  const ratios = vs.slice(1).map((v, i) => v / (vs[i] as number));
  const lo = Math.min(...ratios);
  const hi = Math.max(...ratios);
  return lo >= 1.5 && hi / lo < 1.1;
}

/** A linear or log scale over [lo, hi] into a pixel range. */
export function makeScale(log: boolean, domain: readonly [number, number], range: readonly [number, number]): Scale {
  return log ? logScale(domain, range) : linearScale(domain, range);
}
