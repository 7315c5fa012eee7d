import { performance } from 'node:perf_hooks';
import type { Storage, TrialDigest } from '../storage/storage.js';
import { FINISHED_STATES, type ParamValue, type StudyRecord, type TrialState } from '../core/types.js';

/**
 * One trial as the dashboard keeps it: what the table, the charts and the aggregates need, with the objective metric's
 * per-step values in arrays of numbers. Full step metrics (every metric) are read from storage only for the one trial whose
 * learning curves are shown, so 100,000 trials cost tens of megabytes, not every curve. (Plain arrays of numbers, not
 * typed arrays: V8 keeps them as unboxed doubles, no smaller, and 200,000 small typed arrays cost seconds to allocate.)
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
  /** Every objective's value of a multi-objective study (null for one objective: `value` is all). */
  readonly values?: readonly number[] | null;
  /** Seconds from start to finish (or to now's heartbeat for running trials), null when not started. */
  readonly seconds: number | null;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  readonly workerId: string | null;
  /** The zone strategy's stage (attrs["zones.stage"]), when the study uses it. */
  readonly stage: string | null;
  /** Steps reported with the objective metric, ascending, and that metric's value at each. */
  readonly steps: readonly number[];
  readonly stepValues: readonly number[];
  /** How many steps were reported (compute used, in epochs). */
  readonly stepCount: number;
}

/** Compacts a trial digest to a row; its first curve is the study's objective metric at each step. */
export function toRow(t: TrialDigest): TrialRow {
  const curve = t.curves[0] ?? [];
  const steps: number[] = [];
  const stepValues: number[] = [];
  for (let i = 0; i < curve.length; i++) {
    const v = curve[i];
    if (v === null || v === undefined) continue;
    steps.push(t.steps[i] as number);
    stepValues.push(v);
  }
  const lastStep = t.steps.length > 0 ? (t.steps[t.steps.length - 1] as number) : null;
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
    values: t.values && t.values.length > 1 ? t.values : null,
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

/** Whether two reads of a trial show the same (what a redraw would show): a running trial is read again at each refresh. */
function sameRow(a: TrialRow, b: TrialRow): boolean {
  if (a.state !== b.state || a.stepCount !== b.stepCount || a.value !== b.value || a.seconds !== b.seconds || a.epoch !== b.epoch
    || a.stage !== b.stage || a.workerId !== b.workerId || a.parameters !== b.parameters || a.finishedAt !== b.finishedAt
    || a.steps.length !== b.steps.length) return false;
  for (let i = 0; i < a.steps.length; i++) if (a.steps[i] !== b.steps[i] || a.stepValues[i] !== b.stepValues[i]) return false;
  return true;
}

/**
 * Trials per storage read: the first page small, so a study's page answers at once; then pages sized to take about
 * PAGE_MS each (SQLite reads hold the server while they run), between MIN_PAGE and PAGE trials.
 */
export const FIRST_PAGE = 1000;
export const PAGE = 5000;
export const MIN_PAGE = 500;
export const PAGE_MS = 200;
/**
 * Waiting trials read again per refresh, lowest numbers first. Storage claims the lowest-numbered waiting trial
 * (Storage.claimTrial), so the waiting trials held that were claimed since the last read are the lowest of them: a
 * refresh reads this many, and the next ones only when all of these were claimed. So a grid study that enqueued
 * 100,000 trials costs O(running + this) per refresh, not a read of every waiting trial.
 */
export const WAITING_WINDOW = 256;

/** One trial the cache took in: its row index, the row it replaced (undefined for a new trial) and the new row. */
export interface Change {
  readonly index: number;
  readonly old: TrialRow | undefined;
  readonly row: TrialRow;
}

/**
 * An aggregate kept current as trials change (counts, best so far, a surface's cell sums, ...), so that an update costs
 * O(changes) instead of a pass over every trial. `update` is given every change in one read, after the rows are
 * replaced; it returns false when it cannot take them in (a best trial changed, trials finished out of order, ...), and
 * the cache then builds it again from every row when it is next asked for.
 */
export interface Incremental<T> {
  update(changes: readonly Change[], rows: readonly TrialRow[]): boolean;
  result(): T;
}

/** Incremental aggregates a cache keeps at most; the ones asked for least recently are dropped beyond it. */
export const MAX_INCREMENTAL = 64;

/** How far the first read of a study has come: trials in the cache of the study's count (which may grow meanwhile). */
export interface Loading {
  readonly loaded: number;
  readonly total: number;
}

/**
 * A study's trials, kept current with O(changes) reads: finished trials never change, so each refresh asks storage only
 * for trials numbered after the last one known, the running ones held and the lowest-numbered waiting ones held
 * (WAITING_WINDOW; Storage.listTrialDigests, which also reduces each trial's steps to the objective's curve). Each
 * read's changes update the incremental aggregates registered with `incremental` (counts, best so far, surfaces, ...)
 * in O(changes), so an update costs O(changes) to read and to aggregate, not a pass over the study. The first read of a study goes in pages (FIRST_PAGE, then
 * PAGE trials) in the background: the first request waits for the first page only, later ones are answered from what
 * is in while `loading` says how far it is, and the server answers other requests between pages. `version` grows
 * whenever something changed, so aggregates computed from the rows can be memoised until the next change.
 */
export class StudyCache {
  private readonly rows: TrialRow[] = [];
  private readonly byNumber = new Map<number, number>();
  /** Running trials held (unfinished, not waiting): id → number. */
  private readonly running = new Map<number, number>();
  /** The numbers of the waiting trials held, ascending. */
  private waiting: number[] = [];
  private nextNumber = 0;
  private inFlight: Promise<void> | null = null;
  private lastRefresh = 0;
  private memo = new Map<string, unknown>();
  /** Incremental aggregates by key (Map order: least recently asked first); null: to be built again from every row. */
  private readonly live = new Map<string, { agg: Incremental<unknown> | null; readonly make: () => Incremental<unknown> }>();
  /** The background first read: resolves when every trial is in; null before it starts and after it failed. */
  private loader: Promise<void> | null = null;
  private firstPage: Promise<void> = Promise.resolve();
  private loadError: unknown = null;
  /** Each param's distinct values over every trial, in order of first appearance, kept as trials arrive (axes read them). */
  readonly distinct = new Map<string, Set<ParamValue>>();
  /** Grows whenever a param gets a value not seen before (axes are built again only then). */
  distinctVersion = 0;
  /** Every step any trial reported the objective at (the epoch slider's stops), kept as trials arrive. */
  readonly stepSet = new Set<number>();
  /** Grows with every change seen; 0 before the first read. */
  version = 0;
  /** While the first read runs: how far it is; null once every trial is in. */
  loading: Loading | null = { loaded: 0, total: 0 };

  constructor(
    private readonly storage: Storage,
    readonly study: StudyRecord,
    private readonly minIntervalMs = 250,
    private readonly pages: { readonly first: number; readonly next: number; readonly waiting?: number } = { first: FIRST_PAGE, next: PAGE },
  ) {}

  /**
   * Brings the cache up to date: during the first read, waits only for its first page (and rethrows a failed page once,
   * to be retried at the next refresh); after it, reads what changed since the last refresh (at most one read at a
   * time, and none within minIntervalMs of the last).
   */
  async refresh(): Promise<void> {
    if (this.loading !== null) {
      if (this.loadError !== null) {
        const e = this.loadError;
        this.loadError = null;
        this.loader = null;
        throw e;
      }
      if (this.loader === null) {
        let firstPage!: () => void;
        this.firstPage = new Promise<void>((r) => (firstPage = r));
        this.loader = this.load(firstPage).catch((e: unknown) => {
          this.loadError = e;
          firstPage();
        });
      }
      await this.firstPage;
      if (this.loadError !== null) return this.refresh();
      return;
    }
    if (this.inFlight) return this.inFlight;
    if (Date.now() - this.lastRefresh < this.minIntervalMs) return;
    this.inFlight = this.readChanges().finally(() => {
      this.inFlight = null;
      this.lastRefresh = Date.now();
    });
    return this.inFlight;
  }

  /** Resolves once the first read is done (tests and the benchmark wait on it). */
  async loaded(): Promise<void> {
    while (this.loading !== null) {
      await this.refresh();
      await this.loader;
    }
  }

  /** The first read, page by page, yielding to other requests between pages. */
  private async load(firstPage: () => void): Promise<void> {
    const counts = await this.storage.countTrials(this.study.id);
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    this.loading = { loaded: this.rows.length, total: Math.max(total, this.rows.length) };
    let limit = Math.min(this.pages.first, this.pages.next);
    for (;;) {
      const t0 = performance.now();
      const page = await this.storage.listTrialDigests(this.study.id, { fromNumber: this.nextNumber, limit, metrics: [this.study.metric] });
      this.apply(page, true);
      const ms = performance.now() - t0;
      this.loading = { loaded: this.rows.length, total: Math.max(total, this.rows.length) };
      firstPage();
      if (page.length < limit) break;
      // The next page sized to take about PAGE_MS at this pace (a busy machine reads smaller pages).
      limit = Math.round(Math.min(this.pages.next, Math.max(Math.min(MIN_PAGE, this.pages.next), limit * (PAGE_MS / Math.max(1, ms)))));
      await new Promise<void>((r) => setImmediate(r));
    }
    this.loading = null;
    this.lastRefresh = Date.now();
  }

  /**
   * After the first read: new trials (in pages), the running trials held, and the lowest-numbered waiting ones held
   * (WAITING_WINDOW of them; the next ones too while every one of those turns out claimed).
   */
  private async readChanges(): Promise<void> {
    const window = Math.max(1, this.pages.waiting ?? WAITING_WINDOW);
    const waitingIds = (): number[] => this.waiting.slice(0, window).map((n) => (this.get(n) as TrialRow).id);
    let asked = waitingIds();
    let ids = [...this.running.keys(), ...asked];
    for (;;) {
      const query = { fromNumber: this.nextNumber, limit: this.pages.next, ids, metrics: [this.study.metric] };
      const page = await this.storage.listTrialDigests(this.study.id, query);
      const fresh = page.filter((t) => t.number >= this.nextNumber).length;
      const askedSet = new Set(asked);
      const claimed = page.filter((t) => askedSet.has(t.id) && t.state !== 'waiting').length;
      this.apply(page, false);
      const moreWaiting = asked.length > 0 && claimed === asked.length;
      if (fresh < this.pages.next && !moreWaiting) break;
      asked = moreWaiting ? waitingIds() : [];
      ids = asked;
      await new Promise<void>((r) => setImmediate(r));
    }
  }

  /** Keeps `waiting` (ascending numbers) in step with a trial's state. */
  private holdWaiting(number: number, isWaiting: boolean): void {
    let lo = 0;
    let hi = this.waiting.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.waiting[mid] as number) < number) lo = mid + 1;
      else hi = mid;
    }
    const there = this.waiting[lo] === number;
    if (isWaiting && !there) this.waiting.splice(lo, 0, number);
    else if (!isWaiting && there) this.waiting.splice(lo, 1);
  }

  private apply(changed: readonly TrialDigest[], firstRead: boolean): void {
    let touched = firstRead || this.version === 0;
    const changes: Change[] = [];
    for (const t of changed) {
      const row = toRow(t);
      for (const [k, v] of Object.entries(t.params)) {
        let set = this.distinct.get(k);
        if (!set) this.distinct.set(k, (set = new Set()));
        if (!set.has(v)) {
          set.add(v);
          this.distinctVersion += 1;
        }
      }
      for (const step of row.steps) this.stepSet.add(step);
      const at = this.byNumber.get(t.number);
      if (at === undefined) {
        this.byNumber.set(t.number, this.rows.length);
        changes.push({ index: this.rows.length, old: undefined, row });
        this.rows.push(row);
        this.nextNumber = Math.max(this.nextNumber, t.number + 1);
        touched = true;
      } else {
        const old = this.rows[at] as TrialRow;
        if (!sameRow(old, row)) touched = true;
        changes.push({ index: at, old, row });
        this.rows[at] = row;
      }
      if (FINISHED_STATES.includes(t.state) || t.state === 'waiting') this.running.delete(t.id);
      else this.running.set(t.id, t.number);
      this.holdWaiting(t.number, t.state === 'waiting');
    }
    if (changes.length > 0) {
      for (const entry of this.live.values()) if (entry.agg !== null && !entry.agg.update(changes, this.rows)) entry.agg = null;
    }
    if (touched) {
      this.version += 1;
      this.memo = new Map();
    }
  }

  /**
   * The result of an incremental aggregate kept under `key` (built from every row the first time, and whenever it could
   * not take changes in; after that updated with each read's changes), memoised until the next change.
   */
  incremental<T>(key: string, make: () => Incremental<T>): T {
    let entry = this.live.get(key);
    if (entry) this.live.delete(key);
    else entry = { agg: null, make };
    this.live.set(key, entry);
    if (this.live.size > MAX_INCREMENTAL) this.live.delete(this.live.keys().next().value as string);
    if (entry.agg === null) {
      const agg = entry.make();
      agg.update(this.rows.map((row, index) => ({ index, old: undefined, row })), this.rows);
      entry.agg = agg;
      this.memo.delete(`incremental:${key}`);
    }
    const agg = entry.agg;
    return this.memoise(`incremental:${key}`, () => agg.result()) as T;
  }

  /** The running trials, by number. */
  runningRows(): TrialRow[] {
    return [...this.running.values()].sort((a, b) => a - b).map((n) => this.get(n) as TrialRow);
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
