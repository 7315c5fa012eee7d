import { InputError } from '../core/errors.js';

/** Ranks 1…n with ties given their average rank (scipy.stats.rankdata's 'average'). */
export function averageRanks(values: readonly number[]): number[] {
  const order = values.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
  const ranks = new Array<number>(values.length);
  for (let s = 0; s < order.length; ) {
    let e = s;
    while (e + 1 < order.length && (order[e + 1] as { v: number }).v === (order[s] as { v: number }).v) e++;
    for (let k = s; k <= e; k++) ranks[(order[k] as { i: number }).i] = (s + e) / 2 + 1;
    s = e + 1;
  }
  return ranks;
}

/** Pearson's correlation of two equally long samples (NaN when either is constant). */
export function pearson(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new InputError(`Expected samples of equal length, got ${a.length} and ${b.length}`);
  const n = a.length;
  const ma = a.reduce((s, x) => s + x, 0) / n;
  const mb = b.reduce((s, x) => s + x, 0) / n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = (a[i] as number) - ma, db = (b[i] as number) - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return sab / Math.sqrt(saa * sbb);
}

/** Spearman's rank correlation (Pearson on average ranks, as scipy.stats.spearmanr); needs ≥ 2 pairs. */
export function spearman(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length || a.length < 2) throw new InputError(`Spearman's correlation needs ≥ 2 pairs of equal length, got ${a.length} and ${b.length}`);
  return pearson(averageRanks(a), averageRanks(b));
}
