import type { SchedulerSpec } from './schema.js';

/**
 * The rung steps of a rung-based scheduler spec (successive halving, ASHA, Hyperband), capped at the trial budget
 * and ending at it; null for none, median stopping or curve extrapolation. A pure function of the spec, with the schedulers' defaults
 * (min_resource 1, reduction_factor 3, min_early_stopping_rate 0), so no scheduler is built to read them.
 */
export function rungStepsOf(scheduler: SchedulerSpec | undefined, budget: number | null): number[] | null {
  if (scheduler === undefined || scheduler.type === 'median' || scheduler.type === 'curve-extrapolation') return null;
  const min = scheduler.min_resource ?? 1;
  const eta = scheduler.reduction_factor ?? 3;
  if (scheduler.type === 'hyperband') {
    const max = scheduler.max_resource ?? budget ?? 1;
    const out = new Set<number>();
    for (let step = min; step <= max; step *= eta) out.add(step);
    out.add(max);
    return [...out].sort((a, b) => a - b);
  }
  const first = min * eta ** (scheduler.min_early_stopping_rate ?? 0);
  // Without a budget, the first nine rungs (as many as any real study reaches).
  const max = budget ?? first * eta ** 8;
  const out: number[] = [];
  for (let step = first; step <= max; step *= eta) out.push(step);
  if (out[out.length - 1] !== max) out.push(max);
  return out;
}
