import type { Direction, TrialRecord } from '../study/types.js';

/** The objective value a trial reported at `step` exactly, or undefined. */
export function valueAtStep(t: TrialRecord, step: number, metric: string): number | undefined {
  for (const s of t.steps) if (s.step === step) return finiteOrUndefined(s.metrics[metric]);
  return undefined;
}

/**
 * A trial's value at a rung: the value of its first report at or past `rungStep` (what Optuna's
 * successive-halving pruner records when a trial crosses the rung), or undefined when it never got there.
 */
export function rungValue(t: TrialRecord, rungStep: number, metric: string): number | undefined {
  for (const s of t.steps) {
    if (s.step < rungStep) continue;
    const v = finiteOrUndefined(s.metrics[metric]);
    if (v !== undefined) return v;
  }
  return undefined;
}

function finiteOrUndefined(v: number | undefined): number | undefined {
  return v !== undefined && Number.isFinite(v) ? v : undefined;
}

/** Whether `a` is strictly better than `b` in this direction. */
export function better(direction: Direction, a: number, b: number): boolean {
  return direction === 'maximize' ? a > b : a < b;
}

/**
 * The snapshot with the reporting trial's current step merged in, so its own value counts exactly once
 * even when the snapshot was taken before the step was stored.
 */
export function withCurrentReport(trials: readonly TrialRecord[], trial: TrialRecord, step: number, value: number, metric: string): TrialRecord[] {
  const own = trials.find((t) => t.id === trial.id) ?? trial;
  const steps = own.steps.some((s) => s.step === step) ? own.steps : [...own.steps, { step, metrics: { [metric]: value }, at: Date.now() }].sort((a, b) => a.step - b.step);
  const merged: TrialRecord = { ...own, steps };
  const out = trials.filter((t) => t.id !== trial.id);
  out.push(merged);
  return out;
}

/**
 * Optuna's promotion rule: at a rung with n values (this trial's included), the trial goes on when its
 * value is at least as good as the ⌊n/η⌋-th best; the first trials at a rung (n < η) always go on.
 */
export function isPromotable(value: number, competing: readonly number[], reductionFactor: number, direction: Direction): boolean {
  let idx = Math.floor(competing.length / reductionFactor) - 1;
  if (idx < 0) idx = 0;
  const sorted = [...competing].sort((a, b) => (direction === 'maximize' ? b - a : a - b));
  const threshold = sorted[idx] as number;
  return direction === 'maximize' ? value >= threshold : value <= threshold;
}
