import { InputError } from '../core/errors.js';
import type { TrialRecord } from '../core/types.js';
import { noteStop, reasonNumber, type Decision, type Scheduler, type SchedulerContext } from './scheduler.js';
import { withReport } from './rungs.js';
import { SortedList } from './sorted-list.js';
import { IncrementalState } from './trial-source.js';

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

/** The median of sorted values with numpy's linear interpolation (percentile 50). */
function median(s: SortedList): number {
  const mid = (s.size - 1) / 2;
  const lo = s.at(Math.floor(mid)), hi = s.at(Math.ceil(mid));
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

  /** Per study: how many trials completed, and their values at each step, sorted (updated incrementally). */
  private readonly tables = new IncrementalState<CompletedTable>((ctx) => new CompletedTable(ctx.metric), (tb, t) => tb.add(t));

  /** Stops when the trial's best-so-far is worse than the median of completed trials at this step. */
  async onReport(trial: TrialRecord, step: number, value: number, ctx: SchedulerContext): Promise<Decision> {
    if (step < this.warmup) return 'continue';
    // A stop at the last step saves nothing and would lose a complete result.
    if (trial.budget !== null && step >= trial.budget) return 'continue';
    const { state: completed, latest } = await this.tables.refreshed(ctx);
    const own = withReport(latest(trial.id) ?? trial, step, value, ctx.metric);
    // Optuna's rule: decide at the first report at or past each interval point (steps may be sparse).
    const nearestLower = Math.floor((step - this.warmup) / this.interval) * this.interval + this.warmup;
    let previous = -1;
    for (const s of own.steps) if (s.step > previous && s.step !== step) previous = s.step;
    if (previous >= nearestLower) return 'continue';
    if (completed.count === 0 || completed.count < this.startup) return 'continue';
    const atStep = completed.at(step);
    if (atStep === undefined || atStep.size < this.minTrials) return 'continue';
    const max = ctx.direction === 'maximize';
    let best = value;
    for (const s of own.steps) {
      const v = s.metrics[ctx.metric];
      if (v !== undefined && Number.isFinite(v) && (max ? v > best : v < best)) best = v;
    }
    const m = median(atStep);
    if (!(max ? best < m : best > m)) return 'continue';
    const n = atStep.size;
    const reason = `best ${reasonNumber(best)} so far, worse than the median ${reasonNumber(m)} of ${n} complete trial${n === 1 ? '' : 's'} at that step`;
    await noteStop(ctx, this.name, step, reason);
    return 'stop';
  }
}

/** Completed trials of a study: their number and their values at each step, each step's values sorted. */
class CompletedTable {
  count = 0;
  private readonly counted = new Set<number>();
  private readonly byStep = new Map<number, SortedList>();

  constructor(private readonly metric: string) {}

  /** Counts a trial once it is complete (a complete trial never changes). */
  add(t: TrialRecord): void {
    if (t.state !== 'complete' || this.counted.has(t.id)) return;
    this.counted.add(t.id);
    this.count++;
    const seen = new Set<number>();
    for (const s of t.steps) {
      const v = s.metrics[this.metric];
      // One value per step: the first report of it, as valueAtStep reads it.
      if (seen.has(s.step)) continue;
      seen.add(s.step);
      if (v === undefined || !Number.isFinite(v)) continue;
      let list = this.byStep.get(s.step);
      if (!list) this.byStep.set(s.step, (list = new SortedList()));
      list.insert(v);
    }
  }

  /** The completed trials' values at exactly this step, or undefined when none reported it. */
  at(step: number): SortedList | undefined {
    return this.byStep.get(step);
  }
}

