import type { Direction, TrialRecord } from '../study/types.js';

/** What a scheduler decides after a trial reports a step. */
export type Decision = 'continue' | 'stop';

/** What a scheduler sees when a trial reports. */
export interface SchedulerContext {
  readonly direction: Direction;
  /** The study's objective metric (the value passed to onReport is this metric at the step). */
  readonly metric: string;
  /** A snapshot of the study's trials (loaded lazily, at most once per report). */
  trials(): Promise<readonly TrialRecord[]>;
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
