import type { ParamValue, TrialState } from '../core/types.js';

/** What importance reads of a trial (the dashboard's TrialRow and the report's trials both have it). */
export interface ImportanceRow {
  readonly state: TrialState;
  readonly value: number | null;
  readonly params: Readonly<Record<string, ParamValue>>;
}

/** How a param's values fall into groups: a cell per grid value, bin or category (the dashboard's Axis has it). */
export interface ImportanceAxis {
  readonly param: string;
  readonly positions: readonly number[];
  /** The group of a value, or -1 when it has none. */
  cellOf(v: ParamValue | undefined): number;
}

/** A param's main effect: the share of the objective's variance explained by the param alone. */
export interface Importance {
  readonly param: string;
  /** Between-cell variance of the cell means over the total variance (η², 0–1). */
  readonly share: number;
  readonly cells: number;
}

/**
 * Parameter importance as fANOVA-style main effects on the observed values: for each param, the complete trials are
 * grouped by its value (binned like the surface axes) and the share of the objective's variance that the group means
 * explain is reported (the correlation ratio η² of a one-way ANOVA: SS_between / SS_total). Interactions are not split
 * out, and with few trials per cell the shares run high; it describes these trials, it is not a model's prediction.
 * Used by the dashboard's importance view and `hyperzone report`.
 */
export function importance(rows: readonly ImportanceRow[], axes: readonly ImportanceAxis[]): { params: Importance[]; trials: number } {
  const done = rows.filter((r) => r.state === 'complete' && r.value !== null && Number.isFinite(r.value));
  const values = done.map((r) => r.value as number);
  const mean = values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  const total = values.reduce((a, v) => a + (v - mean) ** 2, 0);
  const out: Importance[] = axes.map((ax) => {
    const p = ax.param;
    const sums = ax.positions.map(() => 0);
    const counts = ax.positions.map(() => 0);
    done.forEach((r, i) => {
      const c = ax.cellOf(r.params[p]);
      if (c < 0) return;
      sums[c] = (sums[c] as number) + (values[i] as number);
      counts[c] = (counts[c] as number) + 1;
    });
    let between = 0;
    counts.forEach((k, c) => {
      if (k > 0) between += k * ((sums[c] as number) / k - mean) ** 2;
    });
    return { param: p, share: total > 0 ? between / total : 0, cells: counts.filter((k) => k > 0).length };
  });
  return { params: out.sort((a, b) => b.share - a.share), trials: done.length };
}
