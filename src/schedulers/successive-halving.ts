import { InputError } from '../errors.js';
import type { TrialRecord } from '../study/types.js';
import type { Decision, Scheduler, SchedulerContext } from './scheduler.js';
import { isPromotable, rungValue, withCurrentReport } from './rungs.js';

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

  /** Checks every rung the trial crossed up to this step, lowest first, as Optuna does. */
  async onReport(trial: TrialRecord, step: number, value: number, ctx: SchedulerContext): Promise<Decision> {
    if (step < this.rungStep(0)) return 'continue';
    // A stop at the last step saves nothing and would lose a complete result.
    if (trial.budget !== null && step >= trial.budget) return 'continue';
    const all = withCurrentReport(await ctx.trials(), trial, step, value, ctx.metric);
    const own = all.find((t) => t.id === trial.id) as TrialRecord;
    const peers = this.peers ? all.filter((t) => t.id === trial.id || (this.peers as (t: TrialRecord) => boolean)(t)) : all;
    for (let k = 0; this.rungStep(k) <= step; k++) {
      const r = this.rungStep(k);
      const mine = rungValue(own, r, ctx.metric);
      if (mine === undefined) continue;
      // Only rungs this report decides: earlier rungs were decided when they were crossed.
      const firstAtRung = own.steps.find((s) => s.step >= r && s.metrics[ctx.metric] !== undefined && Number.isFinite(s.metrics[ctx.metric] as number));
      if (firstAtRung?.step !== step) continue;
      const competing = peers.map((t) => rungValue(t, r, ctx.metric)).filter((v): v is number => v !== undefined);
      if (!isPromotable(mine, competing, this.reductionFactor, ctx.direction)) return 'stop';
    }
    return 'continue';
  }
}

/** ASHA: the asynchronous successive-halving rule (same as SuccessiveHalvingScheduler, named 'asha'). */
export function ashaScheduler(options: Omit<SuccessiveHalvingOptions, 'name'> = {}): SuccessiveHalvingScheduler {
  return new SuccessiveHalvingScheduler({ ...options, name: 'asha' });
}
