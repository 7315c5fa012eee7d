import type { Storage } from '../storage/storage.js';
import { FINISHED_STATES, type ParamValue, type StudyRecord, type TrialRecord, type TrialState } from '../core/types.js';

/**
 * One trial as the dashboard keeps it: what the table, the charts and the aggregates need, with the objective metric's
 * per-step values in typed arrays. Full step metrics (every metric) are read from storage only for the one trial whose
 * learning curves are shown, so 100,000 trials cost tens of megabytes, not every curve.
 */
export interface TrialRow {
  readonly id: number;
  readonly number: number;
  readonly state: TrialState;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly seed: number;
  readonly budget: number | null;
  readonly value: number | null;
  /** The highest step reported (epoch reached), or null before the first report. */
  readonly epoch: number | null;
  /** Trainable parameters (metrics.parameters), when the trainer reports them. */
  readonly parameters: number | null;
  /** Seconds from start to finish (or to now's heartbeat for running trials), null when not started. */
  readonly seconds: number | null;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  readonly workerId: string | null;
  /** The zone strategy's stage (attrs["zones.stage"]), when the study uses it. */
  readonly stage: string | null;
  /** Steps reported with the objective metric, ascending, and that metric's value at each. */
  readonly steps: Float64Array;
  readonly stepValues: Float64Array;
  /** How many steps were reported (compute used, in epochs). */
  readonly stepCount: number;
}

/** Compacts a stored trial to a row; `metric` is the study's objective metric, read from each step. */
export function toRow(t: TrialRecord, metric: string): TrialRow {
  const withMetric = t.steps.filter((s) => typeof s.metrics[metric] === 'number' && Number.isFinite(s.metrics[metric]));
  const steps = new Float64Array(withMetric.length);
  const stepValues = new Float64Array(withMetric.length);
  withMetric.forEach((s, i) => {
    steps[i] = s.step;
    stepValues[i] = s.metrics[metric] as number;
  });
  const lastStep = t.steps.length > 0 ? Math.max(...t.steps.map((s) => s.step)) : null;
  const end = t.finishedAt ?? t.heartbeatAt;
  const stage = t.attrs['zones.stage'];
  return {
    id: t.id,
    number: t.number,
    state: t.state,
    params: t.params,
    seed: t.seed,
    budget: t.budget,
    value: t.value,
    epoch: lastStep ?? t.metrics.best_epoch ?? null,
    parameters: typeof t.metrics.parameters === 'number' ? t.metrics.parameters : null,
    seconds: t.startedAt !== null && end !== null ? Math.max(0, (end - t.startedAt) / 1000) : null,
    startedAt: t.startedAt,
    finishedAt: t.finishedAt,
    workerId: t.workerId,
    stage: typeof stage === 'string' ? stage : null,
    steps,
    stepValues,
    stepCount: t.steps.length,
  };
}

/**
 * A study's trials, kept current with O(changes) reads: finished trials never change, so each refresh asks storage only
 * for trials numbered after the last one known plus the unfinished ones held (Storage.listTrialsFrom). `version` grows
 * whenever something changed, so aggregates computed from the rows can be memoised until the next change.
 */
export class StudyCache {
  private readonly rows: TrialRow[] = [];
  private readonly byNumber = new Map<number, number>();
  private readonly unfinished = new Set<number>();
  private nextNumber = 0;
  private inFlight: Promise<void> | null = null;
  private lastRefresh = 0;
  private memo = new Map<string, unknown>();
  /** Each param's distinct values over every trial, in order of first appearance, kept as trials arrive (axes read them). */
  readonly distinct = new Map<string, Set<ParamValue>>();
  /** Every step any trial reported the objective at (the epoch slider's stops), kept as trials arrive. */
  readonly stepSet = new Set<number>();
  /** Grows with every change seen; 0 before the first read. */
  version = 0;

  constructor(private readonly storage: Storage, readonly study: StudyRecord, private readonly minIntervalMs = 250) {}

  /** Reads what changed since the last refresh (at most one read at a time, and none within minIntervalMs of the last). */
  async refresh(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    if (this.version > 0 && Date.now() - this.lastRefresh < this.minIntervalMs) return;
    this.inFlight = this.read().finally(() => {
      this.inFlight = null;
      this.lastRefresh = Date.now();
    });
    return this.inFlight;
  }

  private async read(): Promise<void> {
    const changed = await this.storage.listTrialsFrom(this.study.id, this.nextNumber, [...this.unfinished]);
    let touched = this.version === 0;
    for (const t of changed.sort((a, b) => a.number - b.number)) {
      const row = toRow(t, this.study.metric);
      for (const [k, v] of Object.entries(t.params)) {
        let set = this.distinct.get(k);
        if (!set) this.distinct.set(k, (set = new Set()));
        set.add(v);
      }
      for (const step of row.steps) this.stepSet.add(step);
      const at = this.byNumber.get(t.number);
      if (at === undefined) {
        this.byNumber.set(t.number, this.rows.length);
        this.rows.push(row);
        this.nextNumber = Math.max(this.nextNumber, t.number + 1);
        touched = true;
      } else {
        const old = this.rows[at] as TrialRow;
        if (old.state !== row.state || old.stepCount !== row.stepCount || old.value !== row.value || old.seconds !== row.seconds) touched = true;
        this.rows[at] = row;
      }
      if (FINISHED_STATES.includes(t.state)) this.unfinished.delete(t.id);
      else this.unfinished.add(t.id);
    }
    if (touched) {
      this.version += 1;
      this.memo = new Map();
    }
  }

  /** Every trial, ordered by number (read-only). */
  all(): readonly TrialRow[] {
    return this.rows;
  }

  /** The trial with this number, or undefined. */
  get(number: number): TrialRow | undefined {
    const at = this.byNumber.get(number);
    return at === undefined ? undefined : this.rows[at];
  }

  /** A value computed from the rows, memoised under `key` until the next change. */
  memoise<T>(key: string, make: () => T): T {
    if (this.memo.has(key)) return this.memo.get(key) as T;
    const v = make();
    this.memo.set(key, v);
    return v;
  }
}
