import type { Direction, TrialRecord } from '../core/types.js';
import { SortedList } from './sorted-list.js';

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
  const steps = own.steps.some((s) => s.step === step)
    ? own.steps
    : [...own.steps, { step, metrics: { [metric]: value }, at: Date.now() }].sort((a, b) => a.step - b.step);
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

/** The trial with the step being reported merged into its steps (its own value counts exactly once). */
export function withReport(own: TrialRecord, step: number, value: number, metric: string): TrialRecord {
  if (own.steps.some((s) => s.step === step)) return own;
  const steps = [...own.steps, { step, metrics: { [metric]: value }, at: Date.now() }].sort((a, b) => a.step - b.step);
  return { ...own, steps };
}

/** isPromotable over a rung's values kept sorted (this trial's value among them): O(1) reads, no sort. */
export function isPromotableSorted(value: number, competing: SortedList, reductionFactor: number, direction: Direction): boolean {
  const threshold = promotionThreshold(competing, reductionFactor, direction);
  return direction === 'maximize' ? value >= threshold : value <= threshold;
}

/** The value a trial needs at a rung to go on (the ⌊n/η⌋-th best of the rung's sorted values, the first when n < η). */
export function promotionThreshold(competing: SortedList, reductionFactor: number, direction: Direction): number {
  const n = competing.size;
  const idx = Math.max(0, Math.floor(n / reductionFactor) - 1);
  return direction === 'maximize' ? competing.at(n - 1 - idx) : competing.at(idx);
}

/**
 * Every trial's values at each rung (first report at or past the rung step), with each rung's values kept
 * sorted: the per-study state of successive halving, updated one changed trial at a time.
 */
export class RungTable {
  private readonly rungs = new Map<number, SortedList>();
  private readonly byTrial = new Map<number, ReadonlyMap<number, number>>();

  /** Replaces a trial's rung values (rung step → value), touching only the rungs whose value changed. */
  set(trialId: number, values: ReadonlyMap<number, number>): void {
    const old = this.byTrial.get(trialId);
    if (old) for (const [r, v] of old) if (values.get(r) !== v) this.rung(r).remove(v);
    for (const [r, v] of values) if (old?.get(r) !== v) this.rung(r).insert(v);
    this.byTrial.set(trialId, values);
  }

  /** The values at a rung step, ascending. */
  rung(step: number): SortedList {
    let list = this.rungs.get(step);
    if (!list) this.rungs.set(step, (list = new SortedList()));
    return list;
  }
}
