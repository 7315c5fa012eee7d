import { Rng } from '../core/rng.js';
import { spearman } from '../stats/rank.js';
import type { Row } from './features.js';
import type { Mixture } from './mixture.js';

/** How well predictions match actual final values on one set of rows. */
export interface Scores {
  readonly rows: number;
  /** Root mean squared error of the predicted mean. */
  readonly rmse: number;
  /** RMSE of the naive prediction "final = last value seen" (the anchor), for comparison. */
  readonly rmseAnchor: number;
  /** Spearman correlation of predicted mean and actual. */
  readonly spearman: number;
  /** Mean negative log-likelihood of the actual values. */
  readonly nll: number;
  /** Share of actual values inside the central 80 % and 95 % intervals (calibrated: 0.80 and 0.95). */
  readonly coverage80: number;
  readonly coverage95: number;
}

/** The model checked on held-out rows. */
export interface Evaluation {
  readonly all: Scores;
  /** By how much of the curve the row saw: none, up to a quarter of the budget, more. */
  readonly byCurve: { readonly none: Scores | null; readonly early: Scores | null; readonly late: Scores | null };
  /** Per input group (param, descriptor, `curve`): RMSE increase when that group's columns are permuted across rows. */
  readonly importance: readonly { readonly input: string; readonly rmseIncrease: number }[];
  /** Up to 200 (predicted mean, actual, step) triples for a predicted-vs-actual view. */
  readonly sample: readonly { readonly predicted: number; readonly lo95: number; readonly hi95: number; readonly actual: number; readonly step: number }[];
}

/** Scores of predictions on rows (the mixture of each row and its actual final value). */
export function scoreRows(rows: readonly Row[], mixtures: readonly Mixture[]): Scores {
  const n = rows.length;
  let se = 0, seA = 0, nll = 0, in80 = 0, in95 = 0;
  const pred: number[] = [];
  rows.forEach((r, i) => {
    const m = mixtures[i] as Mixture;
    const mu = m.mean;
    pred.push(mu);
    se += (mu - r.final) ** 2;
    seA += (r.anchor - r.final) ** 2;
    nll += m.nll(r.final);
    // y lies in the central q-interval exactly when its CDF value lies in [(1 − q)/2, (1 + q)/2].
    const u = m.cdf(r.final);
    if (u >= 0.1 && u <= 0.9) in80++;
    if (u >= 0.025 && u <= 0.975) in95++;
  });
  return {
    rows: n, rmse: Math.sqrt(se / n), rmseAnchor: Math.sqrt(seA / n), spearman: n > 2 ? spearman(pred, rows.map((r) => r.final)) : NaN,
    nll: nll / n, coverage80: in80 / n, coverage95: in95 / n,
  };
}

/**
 * Evaluates a predictor on rows: scores overall and by curve length, permutation importance of each input group (on
 * at most 2,000 rows, seeded), and a sample for plots.
 */
export function evaluateRows(
  model: { predictRow(r: Row): Mixture; readonly encoder: { readonly groups: readonly string[] } },
  rows: readonly Row[],
  seed = 0,
): Evaluation {
  const mixtures = rows.map((r) => model.predictRow(r));
  const subset = (keep: (r: Row) => boolean): Scores | null => {
    const idx = rows.map((r, i) => (keep(r) ? i : -1)).filter((i) => i >= 0);
    return idx.length ? scoreRows(idx.map((i) => rows[i] as Row), idx.map((i) => mixtures[i] as Mixture)) : null;
  };
  const all = scoreRows(rows, mixtures);
  const early = (r: Row): boolean => r.step > 0 && r.step <= 0.25 * r.budget;
  const rng = new Rng(seed);
  const pick = rows.length <= 2000 ? rows.map((_, i) => i) : rng.shuffle(rows.map((_, i) => i)).slice(0, 2000);
  const base = pick.map((i) => rows[i] as Row);
  const baseRmse = Math.sqrt(base.reduce((a, r, k) => a + ((mixtures[pick[k] as number] as Mixture).mean - r.final) ** 2, 0) / base.length);
  const groups = [...new Set(model.encoder.groups)];
  const importance = groups.map((g) => {
    const cols = model.encoder.groups.map((x, j) => (x === g ? j : -1)).filter((j) => j >= 0);
    const perm = rng.shuffle(base.map((_, i) => i));
    let se = 0;
    base.forEach((r, i) => {
      const donor = base[perm[i] as number] as Row;
      const x = [...r.x];
      for (const j of cols) x[j] = donor.x[j] as number;
      se += (model.predictRow({ ...r, x }).mean - r.final) ** 2;
    });
    return { input: g, rmseIncrease: Math.sqrt(se / base.length) - baseRmse };
  }).sort((a, b) => b.rmseIncrease - a.rmseIncrease);
  const sampleIdx = rows.length <= 200 ? rows.map((_, i) => i) : new Rng(seed + 1).shuffle(rows.map((_, i) => i)).slice(0, 200);
  const sample = sampleIdx.map((i) => {
    const m = mixtures[i] as Mixture;
    const [lo95, hi95] = m.interval(0.95);
    const r = rows[i] as Row;
    return { predicted: m.mean, lo95, hi95, actual: r.final, step: r.step };
  });
  return {
    all,
    byCurve: { none: subset((r) => r.step === 0), early: subset((r) => early(r)), late: subset((r) => r.step > 0 && !early(r)) },
    importance,
    sample,
  };
}
