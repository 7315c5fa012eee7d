import { InputError } from '../core/errors.js';
import type { TrialRecord } from '../core/types.js';
import { noteStop, reasonNumber, type Decision, type Scheduler, type SchedulerContext } from './scheduler.js';
import { RungTable, isPromotableSorted, promotionThreshold, withReport } from './rungs.js';
import { IncrementalState } from './trial-source.js';

/** Options of (asynchronous) successive halving; names and defaults follow Optuna's SuccessiveHalvingPruner. */
export interface SuccessiveHalvingOptions {
  /** Steps (epochs) a trial gets before the first decision (default 1). */
  readonly minResource?: number;
  /** η: a trial at a rung goes on when it is in the top 1/η of those that reached the rung (default 3). */
  readonly reductionFactor?: number;
  /** s: the first rung is at minResource·η^s (default 0). */
  readonly minEarlyStoppingRate?: number;
  /** Name shown in logs ('asha' or 'successive-halving'). */
  readonly name?: string;
  /** Only trials for which this holds compete at a rung (Hyperband uses it for brackets). */
  readonly peers?: (t: TrialRecord) => boolean;
}

function checkInt(name: string, v: number, min: number): number {
  if (!Number.isInteger(v) || v < min) throw new InputError(`Expected \`${name}\` to be an integer ≥ ${min}, got ${v}`);
  return v;
}

/**
 * Asynchronous successive halving (ASHA, Li et al. 2020), which is what Optuna's SuccessiveHalvingPruner
 * does: rungs at minResource·η^(s+k); when a trial reaches a rung it is compared with every trial that has
 * reached that rung so far (no waiting for the rung to fill) and goes on only if it is in the top 1/η.
 * Rung values are read from the stored steps (first report at or past the rung), so nothing is written
 * and any number of workers, and resumes, see the same rungs. Unlike Optuna, a trial is never stopped at
 * its last step (its budget): that would save nothing and turn a finished trial into a pruned one.
 */
export class SuccessiveHalvingScheduler implements Scheduler {
  readonly name: string;
  readonly minResource: number;
  readonly reductionFactor: number;
  readonly minEarlyStoppingRate: number;
  private readonly peers: ((t: TrialRecord) => boolean) | undefined;

  constructor(options: SuccessiveHalvingOptions = {}) {
    this.minResource = checkInt('min_resource', options.minResource ?? 1, 1);
    this.reductionFactor = checkInt('reduction_factor', options.reductionFactor ?? 3, 2);
    this.minEarlyStoppingRate = checkInt('min_early_stopping_rate', options.minEarlyStoppingRate ?? 0, 0);
    this.name = options.name ?? 'asha';
    this.peers = options.peers;
  }

  /** The step of rung k (0-based). */
  rungStep(k: number): number {
    return this.minResource * this.reductionFactor ** (this.minEarlyStoppingRate + k);
  }

  /** Rung tables per study, updated from the trials that changed since the previous report. */
  private readonly tables = new IncrementalState<{ table: RungTable; metric: string }>(
    (ctx) => ({ table: new RungTable(), metric: ctx.metric }),
    (s, t) => {
      if (!this.peers || this.peers(t)) s.table.set(t.id, this.rungValuesOf(t, s.metric));
    },
  );

  /** A trial's value at each rung it reached (first finite report at or past the rung step). */
  rungValuesOf(t: TrialRecord, metric: string): Map<number, number> {
    const out = new Map<number, number>();
    let k = 0;
    for (const s of t.steps) {
      const v = s.metrics[metric];
      if (v === undefined || !Number.isFinite(v)) continue;
      while (this.rungStep(k) <= s.step) out.set(this.rungStep(k++), v);
    }
    return out;
  }

  /**
   * Checks every rung the trial crossed up to this step, lowest first, as Optuna does. The rung values of
   * the study are kept in sorted tables updated incrementally (new trials and running ones only), so a
   * report costs the same at 100,000 trials as at 1,000, and reports of other workers count (they are read
   * from storage like this worker's own).
   */
  async onReport(trial: TrialRecord, step: number, value: number, ctx: SchedulerContext): Promise<Decision> {
    if (step < this.rungStep(0)) return 'continue';
    // A stop at the last step saves nothing and would lose a complete result.
    if (trial.budget !== null && step >= trial.budget) return 'continue';
    const { state, latest } = await this.tables.refreshed(ctx);
    const own = withReport(latest(trial.id) ?? trial, step, value, ctx.metric);
    const mineAt = this.rungValuesOf(own, ctx.metric);
    state.table.set(own.id, mineAt);
    for (let k = 0; this.rungStep(k) <= step; k++) {
      const r = this.rungStep(k);
      const mine = mineAt.get(r);
      if (mine === undefined) continue;
      // Only rungs this report decides: earlier rungs were decided when they were crossed.
      const firstAtRung = own.steps.find((s) => s.step >= r && s.metrics[ctx.metric] !== undefined && Number.isFinite(s.metrics[ctx.metric] as number));
      if (firstAtRung?.step !== step) continue;
      const rung = state.table.rung(r);
      if (!isPromotableSorted(mine, rung, this.reductionFactor, ctx.direction)) {
        const needs = promotionThreshold(rung, this.reductionFactor, ctx.direction);
        const reason = `${reasonNumber(mine)} at rung ${r}, not in the top 1/${this.reductionFactor} of the ${rung.size} trials there (needs ${reasonNumber(needs)})`;
        await noteStop(ctx, this.name, step, reason);
        return 'stop';
      }
    }
    return 'continue';
  }
}

/** ASHA: the asynchronous successive-halving rule (same as SuccessiveHalvingScheduler, named 'asha'). */
export function ashaScheduler(options: Omit<SuccessiveHalvingOptions, 'name'> = {}): SuccessiveHalvingScheduler {
  return new SuccessiveHalvingScheduler({ ...options, name: 'asha' });
}
