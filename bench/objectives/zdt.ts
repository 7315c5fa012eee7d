// ZDT test problems (Zitzler, Deb, Thiele 2000): two objectives, both minimised, over [0, 1]^n; the true Pareto front
// is x_2 = … = x_n = 0. Cheap enough for many repetitions, and the usual first check of a multi-objective optimiser.
import { Space } from '../../src/space/space.js';
import type { Params } from '../../src/core/types.js';

/** The space of a ZDT problem with n variables x1 … xn in [0, 1]. */
export function zdtSpace(n: number): Space {
  return Space.fromSpec(Object.fromEntries(Array.from({ length: n }, (_, i) => [`x${i + 1}`, { type: 'float' as const, low: 0, high: 1 }])));
}

function xs(p: Params, n: number): number[] {
  return Array.from({ length: n }, (_, i) => Number(p[`x${i + 1}`]));
}

/** ZDT1 (convex front f2 = 1 − √f1). */
export function zdt1(p: Params, n: number): [number, number] {
  const x = xs(p, n);
  const f1 = x[0] as number;
  const g = 1 + (9 * x.slice(1).reduce((a, b) => a + b, 0)) / (n - 1);
  return [f1, g * (1 - Math.sqrt(f1 / g))];
}

/** ZDT2 (concave front f2 = 1 − f1²). */
export function zdt2(p: Params, n: number): [number, number] {
  const x = xs(p, n);
  const f1 = x[0] as number;
  const g = 1 + (9 * x.slice(1).reduce((a, b) => a + b, 0)) / (n - 1);
  return [f1, g * (1 - (f1 / g) ** 2)];
}

/** The hypervolume of the true front of ZDT1 with reference (r, r), r ≥ 1: r² − 1/3 − (area above the front inside the box). */
export function zdt1OptimalHypervolume(r: number): number {
  // ∫₀¹ (r − (1 − √f1)) df1 + (r − 1)·r = r − 1 + 2/3 + (r − 1)·r.
  return r - 1 / 3 + (r - 1) * r;
}
