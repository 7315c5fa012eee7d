import type { Direction, TrialRecord } from '../core/types.js';

/** What a scheduler decides after a trial reports a step. */
export type Decision = 'continue' | 'stop';

/** What a scheduler sees when a trial reports. */
export interface SchedulerContext {
  readonly direction: Direction;
  /** The study's objective metric (the value passed to onReport is this metric at the step). */
  readonly metric: string;
  /**
   * A snapshot of the study's trials (loaded lazily, at most once per report). O(study size): the built-in schedulers read `source` instead when
   * there is one.
   */
  trials(): Promise<readonly TrialRecord[]>;
  /**
   * The study's trials as an incremental source, the same object at every report of the study in this process
   * (schedulers key their per-study state on it). The engine always gives one; hand-made contexts may not.
   */
  readonly source?: TrialSource;
  /**
   * Merges attributes into the reporting trial's attrs (why it was stopped: `scheduler.stop`, see SchedulerStop); the
   * engine gives one, hand-made contexts may not.
   */
  note?(attrs: Readonly<Record<string, unknown>>): Promise<void>;
}

/** The trial attr that says why a scheduler stopped the trial (a SchedulerStop). */
export const SCHEDULER_STOP_ATTR = 'scheduler.stop';

/**
 * Why a scheduler stopped a trial, in its attrs as `scheduler.stop`: the built-in schedulers note it (with a
 * `reason`) before they return 'stop', and the engine stores one without a reason for a scheduler that noted none,
 * so every trial a scheduler stopped says by which scheduler and at which step.
 */
export interface SchedulerStop {
  /** The scheduler's name (a Hyperband bracket's successive halving: `hyperband[b]`). */
  readonly scheduler: string;
  readonly step: number;
  /** Why, in brief: `0.8123 at rung 9, not in the top 1/3 of 7 trials there (needs 0.8500)`. */
  readonly reason?: string;
}

/** Notes in the reporting trial why `scheduler` stops it at `step` (before it returns 'stop'). */
export async function noteStop(ctx: SchedulerContext, scheduler: string, step: number, reason: string): Promise<void> {
  const stop: SchedulerStop = { scheduler, step, reason };
  await ctx.note?.({ [SCHEDULER_STOP_ATTR]: stop });
}

/** A value in a stop reason as the reports print values (formatNumber without grouping): `0.8500`, `12`, `4.032e-4`. */
export function reasonNumber(v: number): string {
  if (!Number.isFinite(v) || (Number.isInteger(v) && Math.abs(v) < 1e15)) return String(v);
  const abs = Math.abs(v);
  if (abs >= 1e15 || abs < 1e-3) return v.toExponential(3).replace('e+', 'e');
  if (abs >= 1000) return String(abs >= 1e4 ? Math.round(v) : Number(v.toPrecision(4)));
  return v.toPrecision(4);
}

/** Incremental access to a study's trials: each cursor hands out what changed since its previous read. */
export interface TrialSource {
  /** A new reader: its first read returns every trial, each later read the new trials and the unfinished ones (which may have reported since). */
  cursor(): { read(): Promise<readonly TrialRecord[]> };
}

/**
 * Decides budgets and early stops (multi-fidelity): median stopping, successive halving, ASHA, Hyperband.
 * Pure like samplers: it never writes storage; a 'stop' makes the engine abort the trial, which ends as pruned.
 */
export interface Scheduler {
  readonly name: string;
  /** Called after every reported step of a running trial that carries the objective metric. */
  onReport(trial: TrialRecord, step: number, value: number, ctx: SchedulerContext): Decision | Promise<Decision>;
}
