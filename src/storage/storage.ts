import type { Direction, Metrics, ObjectiveSpec, Outcome, StateCounts, StudyRecord, TrialPlan, TrialRecord, TrialState } from '../core/types.js';

/** What a study is created with. */
export interface NewStudy {
  readonly name: string;
  readonly direction: Direction;
  readonly metric: string;
  /** Every objective of a multi-objective study (the first must be `metric`, `direction`); default that one alone. */
  readonly objectives?: readonly ObjectiveSpec[];
  readonly spec: unknown;
}

/** A study with its trial counts, for listings. */
export interface StudySummary extends StudyRecord {
  readonly counts: StateCounts;
}

/** Filters for listing trials. */
export interface TrialQuery {
  readonly states?: readonly TrialState[];
}

/** A worker as recorded by its heartbeats. */
export interface WorkerRecord {
  readonly id: string;
  readonly studyId: number;
  readonly host: string;
  readonly pid: number;
  readonly startedAt: number;
  readonly heartbeatAt: number;
}

/**
 * The narrow, async storage contract every backend (memory, SQLite, PostgreSQL) implements.
 * Every method returns fresh read-only snapshots; callers never mutate storage through them.
 * Concurrency rules (the contract suite checks them):
 * - `claimTrial` is atomic: two workers never claim the same waiting trial.
 * - `finishTrial`, `reportStep`, `heartbeat` and `setTrialAttrs` succeed only while the trial is
 *   `running` and owned by the given worker; otherwise they return false and change nothing,
 *   so a late result from a worker presumed dead neither duplicates nor overwrites (exactly once).
 */
export interface Storage {
  /** Creates a study; throws StorageError code STUDY_EXISTS if the name is taken. */
  createStudy(study: NewStudy): Promise<StudyRecord>;
  /** The study with this name, or null. */
  getStudy(name: string): Promise<StudyRecord | null>;
  /** All studies with their trial counts, oldest first. */
  listStudies(): Promise<StudySummary[]>;
  /** Deletes a study and all its trials; true if it existed. */
  deleteStudy(name: string): Promise<boolean>;
  /**
   * Requeues failed trials (by number) as new waiting trials, numbered after the study's trials, with the same params,
   * seed and budget and the failed trial's attrs plus `retry_of: <its number>`; the failed trials stay as history.
   * Skipped: numbers that are not failed trials, and failed trials whose (params, seed, budget) already has a waiting,
   * running, complete or pruned trial (retried already, or done by another trial), so at most one copy is requeued per
   * configuration. The new trials do not take the dedupe key (the failed trial keeps it): enqueueing the same plan again
   * still adds nothing. Atomic like enqueueTrials. Returns the trials created.
   */
  retryTrials(studyId: number, numbers: readonly number[]): Promise<TrialRecord[]>;

  /**
   * Adds trials in state `waiting`, numbered after the study's existing trials, in order.
   * Plans whose (params, seed, budget) equal an existing trial of the study are skipped
   * (so enqueueing a grid twice, or from two workers at once, never duplicates a point).
   * Returns the trials actually created.
   */
  enqueueTrials(studyId: number, plans: readonly TrialPlan[]): Promise<TrialRecord[]>;
  /** Creates a trial directly in state `running`, owned by the worker (ask-style samplers). */
  createRunningTrial(studyId: number, workerId: string, plan: TrialPlan): Promise<TrialRecord>;
  /**
   * Like createRunningTrial, but only while the study has fewer than `maxTrials` trials (in any state);
   * null otherwise. Atomic across workers, connections, processes and machines: when many workers race
   * on a study limited to N trials, exactly N trials exist at the end, never more.
   */
  createRunningTrialIfBelow(studyId: number, workerId: string, plan: TrialPlan, maxTrials: number): Promise<TrialRecord | null>;
  /**
   * Creates a running trial owned by the worker with number `number`, only if that is the study's next trial number
   * (compare-and-set) and the study has fewer than `maxTrials` trials. A worker makes the plan for the number it
   * expects (its sampler's random stream and the trial seed derive from it) after reading every earlier trial;
   * `taken` means another worker created that number first: read the new trials and propose again. So racing
   * workers never share a number's proposal, each proposal has seen all trials numbered before it, and no sampler
   * runs inside a database lock. Atomic across workers, connections, processes and machines.
   */
  createRunningTrialAt(studyId: number, workerId: string, number: number, plan: TrialPlan, options?: CreateTrialOptions): Promise<CreateTrialResult>;
  /**
   * Atomically moves the lowest-numbered waiting trial to `running` for this worker; null if none waits.
   * With `started: false` the claim is not an attempt yet (startedAt null) until `startTrial`, so a worker that
   * dies before the trial's code runs does not use up the trial's attempts.
   */
  claimTrial(studyId: number, workerId: string, options?: { readonly started?: boolean }): Promise<TrialRecord | null>;
  /**
   * Marks a running trial of this worker as started (its code is about to run): counts the attempt and sets
   * startedAt. Once per claim: false, changing nothing, if the trial is not running under this worker or is started.
   */
  startTrial(trialId: number, workerId: string): Promise<boolean>;
  /** Records one step's metrics (replacing an earlier report of the same step). */
  reportStep(trialId: number, workerId: string, step: number, metrics: Metrics): Promise<boolean>;
  /** Merges attributes into the trial's attrs. */
  setTrialAttrs(trialId: number, workerId: string, attrs: Readonly<Record<string, unknown>>): Promise<boolean>;
  /** Refreshes the trial's heartbeat (and the worker's). */
  heartbeat(trialId: number, workerId: string): Promise<boolean>;
  /** Ends a running trial with its outcome, once. */
  finishTrial(trialId: number, workerId: string, outcome: Outcome): Promise<boolean>;

  /**
   * Returns running trials to `waiting` when their worker is presumed lost: those whose heartbeat
   * is older than `staleMs` (all running ones when staleMs is 0), or whose worker id is in `workerIds`.
   * A trial already claimed `maxAttempts` times is marked failed with the reason instead.
   * Returns the number of trials touched.
   */
  requeueStale(studyId: number, options: { staleMs: number; maxAttempts: number; workerIds?: readonly string[] }): Promise<number>;

  /** Records that a worker is alive (workers table, for `status`). */
  workerHeartbeat(worker: Omit<WorkerRecord, 'heartbeatAt'>): Promise<void>;
  /** Workers of a study with their latest heartbeat. */
  listWorkers(studyId: number): Promise<WorkerRecord[]>;

  getTrial(trialId: number): Promise<TrialRecord | null>;
  /** Trials of a study, ordered by number. */
  listTrials(studyId: number, query?: TrialQuery): Promise<TrialRecord[]>;
  /**
   * Trials of the study numbered ≥ `fromNumber`, or whose id is in `ids`, ordered by number: what changed
   * since a previous read. Finished trials never change (FINISHED_STATES), so a reader (TrialView) keeps them
   * and asks for trials numbered after the ones it knows plus the unfinished ones it holds: O(changes) per
   * read instead of O(study size).
   */
  listTrialsFrom(studyId: number, fromNumber: number, ids: readonly number[]): Promise<TrialRecord[]>;
  /**
   * A page of the study's trials for a reader that keeps its own copy of a large study (the dashboard): at most
   * `limit` trials numbered ≥ `fromNumber`, plus the trials numbered below it whose id is in `ids` (unfinished ones it
   * holds), ordered by number, each with its steps reduced to the named metrics' values (TrialDigest), read and filtered in storage, so
   * 100,000 trials of 10 epochs can be read in pages without parsing every step's metrics. Study not found: STUDY_NOT_FOUND.
   */
  listTrialDigests(studyId: number, query: TrialDigestQuery): Promise<TrialDigest[]>;
  /**
   * At most `limit` trials of the study numbered ≥ `fromNumber`, ordered by number, with their steps: a page, so that
   * a reader of a whole study (export) holds one page at a time, whatever the study's size.
   */
  listTrialsPage(studyId: number, fromNumber: number, limit: number): Promise<TrialRecord[]>;
  /** Counts of a study's trials by state. */
  countTrials(studyId: number): Promise<StateCounts>;
  /**
   * The best `n` trials of the study in the given states (default complete), best value first in `direction`, trials
   * without a value last, ties by number: what `status` shows, sorted and limited in storage, so its cost in memory
   * does not grow with the study.
   */
  bestTrials(studyId: number, query: BestTrialsQuery): Promise<TrialRecord[]>;

  close(): Promise<void>;
}

/** What createRunningTrialAt did: the trial, or why none was created. */
export type CreateTrialResult =
  | { readonly trial: TrialRecord }
  /** `limit`: the study has maxTrials trials; `taken`: the number is not the study's next one. */
  | { readonly trial: null; readonly reason: 'limit' | 'taken' };

/** Options of Storage.createRunningTrialAt. */
export interface CreateTrialOptions {
  /** Create only while the study has fewer trials than this (in any state). */
  readonly maxTrials?: number;
  /** Whether the trial counts as started at once (attempts 1, startedAt set; default true) or waits for startTrial. */
  readonly started?: boolean;
}

/** Arguments of Storage.listTrialDigests. */
export interface TrialDigestQuery {
  /** The page: trials numbered ≥ fromNumber, at most `limit` of them (an integer ≥ 0). */
  readonly fromNumber: number;
  readonly limit: number;
  /** Trials to read again by id; only those numbered below fromNumber are added (the others are in this page or a later one). */
  readonly ids?: readonly number[];
  /** The step metrics to keep, in this order (the study's objective metric, say). */
  readonly metrics: readonly string[];
}

/** A trial with its per-step metrics reduced to a few metrics' curves (Storage.listTrialDigests). */
export interface TrialDigest extends Omit<TrialRecord, 'steps'> {
  /** Every step the trial reported, ascending. */
  readonly steps: readonly number[];
  /** curves[k][i]: metric `metrics[k]` at steps[i], null where that step did not report it as a finite number. */
  readonly curves: readonly (readonly (number | null)[])[];
}

/** Arguments of Storage.bestTrials. */
export interface BestTrialsQuery {
  readonly n: number;
  readonly direction: Direction;
  /** States to rank (default: complete only). */
  readonly states?: readonly TrialState[];
}

/** Zero counts for every state. */
export function emptyCounts(): Record<TrialState, number> {
  return { waiting: 0, running: 0, complete: 0, pruned: 0, failed: 0 };
}

export { planKey } from '../core/keys.js';
