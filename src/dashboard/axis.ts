import type { ParamValue } from '../core/types.js';

/** How many distinct numeric values an axis shows as they are before it bins them. */
export const MAX_DISTINCT_CELLS = 24;
/** Bins of a numeric axis with more distinct values than MAX_DISTINCT_CELLS (continuous params from TPE or random). */
export const BINS = 16;
/** Categories shown at most on one axis (the rest are left out, and the response says how many). */
export const MAX_CATEGORIES = 50;

/**
 * One axis of a grid over a param: the cells, where each sits (numeric position for plotting) and a label. Numeric
 * params with few distinct values keep them (a grid search's 4 × 4); many distinct values fall into BINS equal-width
 * bins (equal in log space when every value is positive and they span ≥ 100×, as learning rates do); strings and
 * booleans are categories at positions 0, 1, 2, ...
 */
export interface Axis {
  readonly param: string;
  readonly kind: 'values' | 'bins' | 'categories';
  readonly log: boolean;
  /** Cell positions: the values, bin centres (geometric on a log axis), or category indices. */
  readonly positions: number[];
  readonly labels: string[];
  /** The cell of a value, or -1 when it has none (a value of another type, a category beyond MAX_CATEGORIES). */
  cellOf(v: ParamValue | undefined): number;
  /**
   * Where a value sits on the axis in cells (0, 1, 2, ...; fractional between two cells' values, on a log scale where
   * the axis has one), for marking a configuration off the grid (a refined point); -1 outside the axis's range.
   */
  positionOf(v: ParamValue | undefined): number;
}

/** A short label for a number: 4 significant digits, exponent form when tiny or huge. */
export function label(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e6) return v.toExponential(2).replace(/\.?0+e/, 'e');
  return String(Number(v.toPrecision(4)));
}

/**
 * Whether positive values spanning ≥ 100× are spread on a log scale: the space says so (`log`), or, without it, most
 * distinct values sit below the linear mid-point (a log-uniform learning rate over 4 decades puts ~97% there, a uniform
 * dropout about half).
 */
function looksLog(sorted: readonly number[], hint: boolean | undefined): boolean {
  const min = sorted[0] as number;
  const max = sorted[sorted.length - 1] as number;
  if (!(min > 0) || max / min < 100) return false;
  if (hint !== undefined) return hint;
  const mid = (min + max) / 2;
  return sorted.filter((v) => v < mid).length > 0.8 * sorted.length;
}

/** The axis of `param` over these values (undefined where a trial lacks the param); `logHint`: the space's `log`, when known. */
export function makeAxis(param: string, values: readonly (ParamValue | undefined)[], logHint?: boolean): Axis {
  const present = values.filter((v): v is ParamValue => v !== undefined);
  const numeric = present.length > 0 && present.every((v) => typeof v === 'number' && Number.isFinite(v));
  if (!numeric) {
    const cats = [...new Set(present.map((v) => String(v)))].sort().slice(0, MAX_CATEGORIES);
    const index = new Map(cats.map((c, i) => [c, i]));
    const cellOf = (v: ParamValue | undefined): number => (v === undefined ? -1 : index.get(String(v)) ?? -1);
    return { param, kind: 'categories', log: false, positions: cats.map((_, i) => i), labels: cats, cellOf, positionOf: cellOf };
  }
  const nums = present as number[];
  const distinct = [...new Set(nums)].sort((a, b) => a - b);
  const min = distinct[0] as number;
  const max = distinct[distinct.length - 1] as number;
  const log = looksLog(distinct, logHint);
  if (distinct.length <= MAX_DISTINCT_CELLS) {
    const index = new Map(distinct.map((v, i) => [v, i]));
    const u = (v: number): number => (log ? Math.log(v) : v);
    const positionOf = (v: ParamValue | undefined): number => {
      if (typeof v !== 'number' || !(v >= min && v <= max)) return -1;
      const at = index.get(v);
      if (at !== undefined) return at;
      const i = distinct.findIndex((d) => d > v) - 1;
      const lo = distinct[i] as number;
      const hi = distinct[i + 1] as number;
      return i + (u(v) - u(lo)) / (u(hi) - u(lo));
    };
    return { param, kind: 'values', log, positions: distinct, labels: distinct.map(label), cellOf: (v) => (typeof v === 'number' ? index.get(v) ?? -1 : -1), positionOf };
  }
  const t = (v: number): number => (log ? Math.log(v) : v);
  const lo = t(min);
  const width = (t(max) - lo) / BINS;
  const back = (u: number): number => (log ? Math.exp(u) : u);
  const positions = Array.from({ length: BINS }, (_, i) => back(lo + (i + 0.5) * width));
  const labels = Array.from({ length: BINS }, (_, i) => `${label(back(lo + i * width))}–${label(back(lo + (i + 1) * width))}`);
  return {
    param, kind: 'bins', log, positions, labels,
    cellOf: (v) => (typeof v === 'number' && v >= min && v <= max ? Math.min(BINS - 1, Math.floor((t(v) - lo) / width)) : -1),
    positionOf: (v) => (typeof v === 'number' && v >= min && v <= max ? (t(v) - lo) / width - 0.5 : -1),
  };
}
