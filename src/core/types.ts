/** Values a hyperparameter can take. */
export type ParamValue = number | string | boolean;
/** One configuration: hyperparameter name → value. */
export type Params = Readonly<Record<string, ParamValue>>;
/** Numeric metrics of one step or of a whole trial (val_accuracy, val_loss, test_accuracy, ...). */
export type Metrics = Readonly<Record<string, number>>;
/** Whether the objective metric is to be made large or small. */
export type Direction = 'maximize' | 'minimize';
/** One objective of a study: a metric and whether it is to be made large or small. */
export interface ObjectiveSpec {
  readonly metric: string;
  readonly direction: Direction;
}
/** Life cycle of a trial. `waiting` = enqueued, not yet claimed by a worker. */
export type TrialState = 'waiting' | 'running' | 'complete' | 'pruned' | 'failed';
/** States a trial never leaves. */
export const FINISHED_STATES: readonly TrialState[] = ['complete', 'pruned', 'failed'];

/** Metrics reported after one step (an epoch for trainers). */
export interface StepReport {
  readonly step: number;
  readonly metrics: Metrics;
  /** Milliseconds since the epoch when it was reported. */
  readonly at: number;
}

/** A trial as storage returns it: a read-only snapshot. */
export interface TrialRecord {
  readonly id: number;
  readonly studyId: number;
  /** 0-based position within its study, in creation order. */
  readonly number: number;
  readonly state: TrialState;
  readonly params: Params;
  readonly seed: number;
  /** The training budget (epochs for trainers), or null when the objective has none. */
  readonly budget: number | null;
  /** The objective value (e.g. best validation accuracy); null until complete. In a multi-objective study, the first objective's. */
  readonly value: number | null;
  /**
   * The value of each objective, in the study's order (`StudyRecord.objectives`); `[value]` in a single-objective
   * study, null while `value` is null. Storage always sets it; a record built by hand may leave it out (read it with
   * `valuesOf`).
   */
  readonly values?: readonly number[] | null;
  /** Final metrics (best_epoch, test_accuracy, images_per_second, ...). */
  readonly metrics: Metrics;
  /** Per-step metrics, ordered by step. */
  readonly steps: readonly StepReport[];
  /** Free-form JSON attributes: sampler state (namespaced, e.g. "zones.stage"), tags, backend. */
  readonly attrs: Readonly<Record<string, unknown>>;
  readonly error: string | null;
  readonly workerId: string | null;
  /** How many times a worker claimed it (retries after lost workers count). */
  readonly attempts: number;
  readonly createdAt: number;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  readonly heartbeatAt: number | null;
}

/** A study as storage returns it. */
export interface StudyRecord {
  readonly id: number;
  readonly name: string;
  readonly direction: Direction;
  /** The metric whose value is the trial's objective value. */
  readonly metric: string;
  /** Every objective, first the one of `metric` and `direction`; one entry unless the study is multi-objective. */
  readonly objectives: readonly ObjectiveSpec[];
  /** The validated study spec, as JSON, so a resume or a worker needs no spec file. */
  readonly spec: unknown;
  readonly createdAt: number;
}

/** What a new trial is created with. */
export interface TrialPlan {
  readonly params: Params;
  readonly seed: number;
  readonly budget: number | null;
  readonly attrs?: Readonly<Record<string, unknown>>;
}

/** How a trial ended, as a runner or objective reports it. */
export type Outcome =
  /** `values`: every objective's value in a multi-objective study (`value` is then `values[0]`). */
  | { readonly state: 'complete'; readonly value: number; readonly values?: readonly number[]; readonly metrics?: Metrics }
  | { readonly state: 'pruned'; readonly step: number; readonly value?: number; readonly metrics?: Metrics }
  | { readonly state: 'failed'; readonly error: string; readonly retryable?: boolean; readonly metrics?: Metrics };

/** Counts of trials by state. */
export type StateCounts = Readonly<Record<TrialState, number>>;

/** A trial's objective values: `values` when set, else `[value]` (null while it has no value). */
export function valuesOf(t: Pick<TrialRecord, 'value' | 'values'>): readonly number[] | null {
  return t.values ?? (t.value === null ? null : [t.value]);
}

/** A study's objectives: `objectives` when set, else its one `metric` and `direction`. */
export function objectivesOf(s: Pick<StudyRecord, 'metric' | 'direction'> & { readonly objectives?: readonly ObjectiveSpec[] }): readonly ObjectiveSpec[] {
  return s.objectives ?? [{ metric: s.metric, direction: s.direction }];
}
