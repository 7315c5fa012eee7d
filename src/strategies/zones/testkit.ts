import type { ResultEntry } from '../../results/resultset.js';
import type { Params, TrialPlan } from '../../core/types.js';
import { Rng, deriveSeed } from '../../core/rng.js';
import { paramsKey } from './common.js';

/** Test helper: a synthetic objective over (units, batch_size[, lr_schedule]) with seeded noise. */
export interface Synthetic {
  readonly f: (p: Params) => number;
  readonly sd: number;
  readonly testShift?: number;
}

/** Two Gaussian bumps in log2 coordinates: (400, 64) high, (4000, 512) lower. */
export function twoPeaks(p: Params): number {
  const x = Math.log2(Number(p.units));
  const y = Math.log2(Number(p.batch_size));
  const bump = (cx: number, cy: number, h: number): number => h * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 2);
  return 0.96 + bump(Math.log2(400), 6, 0.02) + bump(Math.log2(4000), 9, 0.015);
}

/** Evaluates plans into entries with per-epoch steps (accuracy ramps up to its final value). */
export function syntheticEvaluate(s: Synthetic, plans: readonly TrialPlan[], stage?: string): ResultEntry[] {
  return plans.map((pl) => {
    const rng = new Rng(deriveSeed(pl.seed, paramsKey(pl.params)));
    const v = s.f(pl.params) + s.sd * rng.normal();
    const budget = pl.budget ?? 1;
    const steps = Array.from({ length: budget }, (_, i) => ({ step: i + 1, metrics: { val_accuracy: v - 0.05 * Math.exp(-(i + 1) / 3) } }));
    const metrics: Record<string, number> = {};
    if (pl.attrs?.evaluate_test === true) metrics.test_accuracy = v + (s.testShift ?? 0) + s.sd * rng.normal();
    const tag = pl.attrs?.['zones.stage'];
    const st = typeof tag === 'string' ? tag : stage;
    const value = Math.max(...steps.map((x) => x.metrics.val_accuracy));
    return { params: pl.params, seed: pl.seed, budget: pl.budget, value, steps, metrics, ...(st ? { stage: st } : {}) };
  });
}
