import { InputError } from '../errors.js';
import type { TrialRecord } from '../study/types.js';
import type { Decision, Scheduler, SchedulerContext } from './scheduler.js';
import { valueAtStep, withCurrentReport } from './rungs.js';

/** Options of median stopping; names and defaults follow Optuna's MedianPruner. */
export interface MedianStoppingOptions {
  /** No stops until this many trials have completed (default 5). */
  readonly nStartupTrials?: number;
  /** No stops before this step (default 0). */
  readonly nWarmupSteps?: number;
  /** Decide only every `intervalSteps` steps after the warm-up (default 1). */
  readonly intervalSteps?: number;
  /** No stop at a step that fewer than this many completed trials reported (default 1). */
  readonly nMinTrials?: number;
}

function checkInt(name: string, v: number, min: number): number {
  if (!Number.isInteger(v) || v < min) throw new InputError(`Expected \`${name}\` to be an integer ≥ ${min}, got ${v}`);
  return v;
}

/** The median of values with numpy's linear interpolation (percentile 50). */
function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = (s.length - 1) / 2;
  const lo = s[Math.floor(mid)] as number, hi = s[Math.ceil(mid)] as number;
  return lo + (hi - lo) * (mid - Math.floor(mid));
}

/**
 * Median stopping rule (Optuna's MedianPruner): stop a trial whose best value so far is worse than the
 * median of the completed trials' values at the same step.
 */
export class MedianStoppingScheduler implements Scheduler {
  readonly name = 'median';
  private readonly startup: number;
  private readonly warmup: number;
  private readonly interval: number;
  private readonly minTrials: number;

  constructor(options: MedianStoppingOptions = {}) {
    this.startup = checkInt('n_startup_trials', options.nStartupTrials ?? 5, 0);
    this.warmup = checkInt('n_warmup_steps', options.nWarmupSteps ?? 0, 0);
    this.interval = checkInt('interval_steps', options.intervalSteps ?? 1, 1);
    this.minTrials = checkInt('n_min_trials', options.nMinTrials ?? 1, 1);
  }

  /** Stops when the trial's best-so-far is worse than the median of completed trials at this step. */
  async onReport(trial: TrialRecord, step: number, value: number, ctx: SchedulerContext): Promise<Decision> {
    if (step < this.warmup) return 'continue';
    // A stop at the last step saves nothing and would lose a complete result.
    if (trial.budget !== null && step >= trial.budget) return 'continue';
    const all = withCurrentReport(await ctx.trials(), trial, step, value, ctx.metric);
    const own = all.find((t) => t.id === trial.id) as TrialRecord;
    // Optuna's rule: decide at the first report at or past each interval point (steps may be sparse).
    const nearestLower = Math.floor((step - this.warmup) / this.interval) * this.interval + this.warmup;
    let previous = -1;
    for (const s of own.steps) if (s.step > previous && s.step !== step) previous = s.step;
    if (previous >= nearestLower) return 'continue';
    const completed = all.filter((t) => t.state === 'complete');
    if (completed.length === 0 || completed.length < this.startup) return 'continue';
    const atStep = completed.map((t) => valueAtStep(t, step, ctx.metric)).filter((v): v is number => v !== undefined);
    if (atStep.length < this.minTrials) return 'continue';
    const max = ctx.direction === 'maximize';
    let best = value;
    for (const s of own.steps) {
      const v = s.metrics[ctx.metric];
      if (v !== undefined && Number.isFinite(v) && (max ? v > best : v < best)) best = v;
    }
    const m = median(atStep);
    return (max ? best < m : best > m) ? 'stop' : 'continue';
  }
}
