import { hypervolume, nonDominatedSort, paretoFront } from '../stats/pareto.js';

/** Optuna's EPS: the least weight, and the reference coordinate where the worst value is 0. */
const EPS = 1e-12;

/** MOTPE's reference point for a set of loss vectors: max(1.1·worst, 0.9·worst) per objective (EPS where that is 0). */
export function motpeReference(points: readonly (readonly number[])[]): number[] {
  const m = (points[0] as readonly number[]).length;
  return Array.from({ length: m }, (_, k) => {
    const worst = Math.max(...points.map((p) => p[k] as number));
    const r = Math.max(1.1 * worst, 0.9 * worst);
    return r === 0 ? EPS : r;
  });
}

/**
 * The indices of the `n` good observations of a multi-objective TPE split (Ozaki et al. 2020, as Optuna 3.1): whole
 * non-domination fronts while they fit, then from the next front a greedy hypervolume subset (each step adds the point
 * that adds the most hypervolume to those already taken from it; reference from that front's worst point).
 */
export function selectBelow(points: readonly (readonly number[])[], n: number): number[] {
  const out: number[] = [];
  for (const front of nonDominatedSort(points)) {
    if (out.length >= n) break;
    if (out.length + front.length <= n) { out.push(...front); continue; }
    const vecs = front.map((i) => points[i] as readonly number[]);
    const ref = motpeReference(vecs);
    const taken: (readonly number[])[] = [];
    const left = new Set(front.map((_, k) => k));
    let hv = 0;
    while (out.length < n) {
      let best = -1, gain = -Infinity;
      for (const k of left) {
        const g = hypervolume([...taken, vecs[k] as readonly number[]], ref) - hv;
        if (g > gain) { gain = g; best = k; }
      }
      left.delete(best);
      taken.push(vecs[best] as readonly number[]);
      hv += gain;
      out.push(front[best] as number);
    }
    break;
  }
  return out.sort((a, b) => a - b);
}

/**
 * MOTPE's weights of the good observations: each one's exclusive hypervolume contribution (reference from their worst
 * point), plus EPS, over the largest; [1] for one observation.
 */
export function belowWeightsOf(points: readonly (readonly number[])[]): number[] {
  if (points.length <= 1) return points.map(() => 1);
  const ref = motpeReference(points);
  const total = hypervolume(points, ref);
  // Without a point off the front, hypervolume works on the very same front (same points in the same order, same
  // arithmetic): the result is `total` bit for bit, so only the front's points are recomputed.
  const onFront = new Set(paretoFront(points));
  const without = (i: number): number => (onFront.has(i) ? hypervolume(points.filter((_, j) => j !== i), ref) : total);
  const contrib = points.map((_, i) => total - without(i) + EPS);
  const max = Math.max(...contrib);
  return contrib.map((c) => Math.min(1, Math.max(0, c / max)));
}
