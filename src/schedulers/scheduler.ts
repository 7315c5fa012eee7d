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
  /** Merges attributes into the reporting trial's attrs (why it was stopped); the engine gives one, hand-made contexts may not. */
  note?(attrs: Readonly<Record<string, unknown>>): Promise<void>;
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
