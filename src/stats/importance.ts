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
  /**
   * The share of the objective's variance the param explains, adjusted for the number of groups (ε², 0–1):
   * (SS_between − (k − 1)·MS_within) / SS_total, clipped at 0. η² alone grows with the number of groups whatever the
   * param does (its expectation under no effect is (k − 1)/(n − 1)); ε² is unbiased under no effect. 0 where it
   * cannot be estimated (every group a single trial).
   */
  readonly share: number;
  /** The unadjusted correlation ratio η² = SS_between / SS_total (0–1). */
  readonly eta2: number;
  readonly cells: number;
}

/**
 * Parameter importance as fANOVA-style main effects on the observed values: for each param, the complete trials are
 * grouped by its value (binned like the surface axes) and the share of the objective's variance that the group means
 * explain is reported, adjusted for the number of groups (ε² of a one-way ANOVA; the raw η² = SS_between / SS_total
 * is kept beside it). Interactions are not split out; it describes these trials, it is not a model's prediction.
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
    let n = 0;
    counts.forEach((k, c) => {
      if (k > 0) between += k * ((sums[c] as number) / k - mean) ** 2;
      n += k;
    });
    const k = counts.filter((x) => x > 0).length;
    // Trials without a group for this param (inactive in a conditional space) stay in SS_total: what they leave
    // unexplained counts against the param, as in η².
    const within = done.reduce((a, r, i) => {
      const c = ax.cellOf(r.params[p]);
      return c < 0 ? a : a + ((values[i] as number) - (sums[c] as number) / (counts[c] as number)) ** 2;
    }, 0);
    const eta2 = total > 0 ? between / total : 0;
    const share = total > 0 && n > k && k > 0 ? Math.max(0, (between - (k - 1) * (within / (n - k))) / total) : 0;
    return { param: p, share, eta2, cells: k };
  });
  return { params: out.sort((a, b) => b.share - a.share), trials: done.length };
}
