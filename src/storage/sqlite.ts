import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Metrics, Outcome, StateCounts, StepReport, StudyRecord, TrialPlan, TrialRecord, TrialState } from '../core/types.js';
import { StorageError, describeError } from '../core/errors.js';
import { emptyCounts, planKey, type CreateTrialOptions, type CreateTrialResult, type NewStudy, type Storage, type StudySummary, type TrialQuery, type WorkerRecord, type BestTrialsQuery, type TrialDigest, type TrialDigestQuery } from './storage.js';
import { checkBestQuery, checkDigestQuery, readObjectives, readValues, storedObjectives, digestValue, mergeBest, checkId, checkMaxTrials, checkNumber, checkPage, checkStep, deepFreeze, finishFields, lostWorkerError, parseJson } from './snapshot.js';
import { cleanJson, cleanKey, cleanMetrics, cleanPlan, cleanStudy, cleanWorker } from './sanitize.js';

/** Ordered schema migrations; entry i takes the schema from version i to i+1. Never edit a released entry. */
export const SQLITE_MIGRATIONS: readonly string[] = [
  `CREATE TABLE studies (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     name TEXT NOT NULL UNIQUE,
     direction TEXT NOT NULL,
     metric TEXT NOT NULL,
     spec TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     next_number INTEGER NOT NULL DEFAULT 0
   );
   CREATE TABLE trials (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
     number INTEGER NOT NULL,
     state TEXT NOT NULL,
     params TEXT NOT NULL,
     seed INTEGER NOT NULL,
     budget REAL,
     plan_key TEXT NOT NULL,
     dedupe_key TEXT,
     value REAL,
     metrics TEXT NOT NULL DEFAULT '{}',
     attrs TEXT NOT NULL DEFAULT '{}',
     error TEXT,
     worker_id TEXT,
     attempts INTEGER NOT NULL DEFAULT 0,
     created_at INTEGER NOT NULL,
     started_at INTEGER,
     finished_at INTEGER,
     heartbeat_at INTEGER,
     UNIQUE (study_id, number),
     UNIQUE (study_id, dedupe_key)
   );
   CREATE INDEX trials_claim ON trials (study_id, state, number);
   CREATE TABLE trial_steps (
     trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
     study_id INTEGER NOT NULL,
     step INTEGER NOT NULL,
     metrics TEXT NOT NULL,
     at INTEGER NOT NULL,
     PRIMARY KEY (trial_id, step)
   );
   CREATE INDEX trial_steps_study ON trial_steps (study_id);
   CREATE TABLE workers (
     study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
     id TEXT NOT NULL,
     host TEXT NOT NULL,
     pid INTEGER NOT NULL,
     started_at INTEGER NOT NULL,
     heartbeat_at INTEGER NOT NULL,
     PRIMARY KEY (study_id, id)
   );`,
  // `status` reads the best trials in order from this index (bestTrials) instead of sorting the study.
  'CREATE INDEX trials_best ON trials (study_id, state, value)',
  // Multi-objective studies: the study's objectives and each trial's value vector (JSON; NULL = the one `value`).
  `ALTER TABLE studies ADD COLUMN objectives TEXT;
   ALTER TABLE trials ADD COLUMN value_vec TEXT;`,
];

/** Options for SqliteStorage. */
export interface SqliteStorageOptions {
  /** How long a writer waits for another process's lock, in ms (default 10 000). */
  readonly busyTimeoutMs?: number;
  /** The clock, in milliseconds since the epoch (tests inject one). */
  readonly now?: () => number;
  /** Open only an existing database file (read-only commands): neither the file nor its directory is created. */
  readonly mustExist?: boolean;
}

interface StudyRow { id: number; name: string; direction: string; metric: string; objectives: string | null; spec: string; created_at: number }
interface TrialRow {
  id: number; study_id: number; number: number; state: string; params: string; seed: number; budget: number | null;
  value: number | null; value_vec: string | null; metrics: string; attrs: string; error: string | null; worker_id: string | null; attempts: number;
  created_at: number; started_at: number | null; finished_at: number | null; heartbeat_at: number | null;
}
interface StepRow { trial_id: number; step: number; metrics: string; at: number }
interface WorkerRow { id: string; study_id: number; host: string; pid: number; started_at: number; heartbeat_at: number }

const TRIAL_COLS = 'id, study_id, number, state, params, seed, budget, value, value_vec, metrics, attrs, error, worker_id, attempts, created_at, started_at, finished_at, heartbeat_at';

/**
 * Storage in one SQLite file (better-sqlite3), shareable by several processes on one machine:
 * WAL journal, a busy timeout, and every write transaction taken with BEGIN IMMEDIATE.
 */
export class SqliteStorage implements Storage {
  private readonly db: Database.Database;
  private readonly now: () => number;
  private readonly st: ReturnType<SqliteStorage['prepare']>;
  /** listTrialDigests' statements by shape (which metrics are picked by path, whether held ids are added). */
  private readonly digestStatements = new Map<string, Database.Statement<unknown[], TrialRow & { digest: string | null }>>();

  /** Opens (creating if needed) the database at `path` and migrates its schema; throws StorageError if it cannot. */
  constructor(readonly path: string, options: SqliteStorageOptions = {}) {
    this.now = options.now ?? Date.now;
    try {
      if (path !== ':memory:' && options.mustExist !== true) mkdirSync(dirname(path), { recursive: true });
      this.db = new Database(path, { fileMustExist: options.mustExist === true });
    } catch (e) {
      throw new StorageError(`Cannot open SQLite database \`${path}\`: ${describeError(e)}`, { cause: e, code: 'CONNECTION_ERROR' });
    }
    try {
      this.db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 10_000))}`);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('foreign_keys = ON');
      migrate(this.db, path);
      this.st = this.prepare();
    } catch (e) {
      this.db.close();
      if (e instanceof StorageError) throw e;
      // A file that is not SQLite (or not readable as such) is the user's to fix: CONNECTION_ERROR, exit code 2.
      const code = typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : '';
      const notDb = /^SQLITE_(NOTADB|CORRUPT|CANTOPEN|READONLY|PERM|AUTH)/.test(code);
      throw new StorageError(`Cannot open SQLite database \`${path}\`${code === 'SQLITE_NOTADB' ? ' (`--storage`: the file is not a SQLite database)' : ''}: ${describeError(e)}`,
        notDb ? { cause: e, code: 'CONNECTION_ERROR' } : { cause: e });
    }
  }

  private prepare() {
    const db = this.db;
    return {
      insertStudy: db.prepare<[string, string, string, string | null, string, number]>('INSERT INTO studies (name, direction, metric, objectives, spec, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id'),
      studyByName: db.prepare<[string], StudyRow>('SELECT id, name, direction, metric, objectives, spec, created_at FROM studies WHERE name = ?'),
      studyExists: db.prepare<[number], { id: number }>('SELECT id FROM studies WHERE id = ?'),
      studyNext: db.prepare<[number], { next_number: number }>('SELECT next_number FROM studies WHERE id = ?'),
      listStudies: db.prepare<[], StudyRow>('SELECT id, name, direction, metric, objectives, spec, created_at FROM studies ORDER BY id'),
      countsAll: db.prepare<[], { study_id: number; state: string; n: number }>('SELECT study_id, state, COUNT(*) AS n FROM trials GROUP BY study_id, state'),
      counts: db.prepare<[number], { state: string; n: number }>('SELECT state, COUNT(*) AS n FROM trials WHERE study_id = ? GROUP BY state'),
      deleteStudy: db.prepare<[string]>('DELETE FROM studies WHERE name = ?'),
      takeNumbers: db.prepare<[number, number], { next_number: number }>('UPDATE studies SET next_number = next_number + ? WHERE id = ? RETURNING next_number'),
      keyExists: db.prepare<[number, string], { id: number }>('SELECT id FROM trials WHERE study_id = ? AND dedupe_key = ?'),
      insertTrial: db.prepare<[
        number, number, string, string, number, number | null, string, string | null, string, string | null, number, number, number | null, number | null,
      ]>(
        `INSERT INTO trials (study_id, number, state, params, seed, budget, plan_key, dedupe_key, attrs, worker_id, attempts, created_at, started_at, heartbeat_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${TRIAL_COLS}`),
      claim: db.prepare<[string, number, number | null, number, number], TrialRow>(
        `UPDATE trials SET state = 'running', worker_id = ?, attempts = attempts + ?, started_at = ?, heartbeat_at = ?
         WHERE id = (SELECT id FROM trials WHERE study_id = ? AND state = 'waiting' ORDER BY number LIMIT 1) RETURNING ${TRIAL_COLS}`),
      owned: db.prepare<[number, string], { id: number; study_id: number; attrs: string }>("SELECT id, study_id, attrs FROM trials WHERE id = ? AND state = 'running' AND worker_id = ?"),
      start: db.prepare<[number, number, number, string]>(
        "UPDATE trials SET attempts = attempts + 1, started_at = ?, heartbeat_at = ? WHERE id = ? AND state = 'running' AND worker_id = ? AND started_at IS NULL"),
      touch: db.prepare<[number, number, string]>("UPDATE trials SET heartbeat_at = ? WHERE id = ? AND state = 'running' AND worker_id = ?"),
      upsertStep: db.prepare<[number, number, number, string, number]>(
        'INSERT INTO trial_steps (trial_id, study_id, step, metrics, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (trial_id, step) DO UPDATE SET metrics = excluded.metrics, at = excluded.at'),
      setAttrs: db.prepare<[string, number]>('UPDATE trials SET attrs = ? WHERE id = ?'),
      touchWorker: db.prepare<[number, number, string]>('UPDATE workers SET heartbeat_at = ? WHERE study_id = ? AND id = ?'),
      finish: db.prepare<[string, number | null, string | null, string, string | null, number, number, string]>(
        "UPDATE trials SET state = ?, value = ?, value_vec = ?, metrics = ?, error = ?, finished_at = ? WHERE id = ? AND state = 'running' AND worker_id = ?"),
      running: db.prepare<[number], { id: number; worker_id: string | null; attempts: number; heartbeat_at: number | null }>(
        "SELECT id, worker_id, attempts, heartbeat_at FROM trials WHERE study_id = ? AND state = 'running' ORDER BY number"),
      requeue: db.prepare<[number]>("UPDATE trials SET state = 'waiting', worker_id = NULL, started_at = NULL, heartbeat_at = NULL WHERE id = ? AND state = 'running'"),
      failLost: db.prepare<[string, number, number]>("UPDATE trials SET state = 'failed', error = ?, finished_at = ? WHERE id = ? AND state = 'running'"),
      clearSteps: db.prepare<[number]>('DELETE FROM trial_steps WHERE trial_id = ?'),
      upsertWorker: db.prepare<[number, string, string, number, number, number]>(
        'INSERT INTO workers (study_id, id, host, pid, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (study_id, id) DO UPDATE SET host = excluded.host, pid = excluded.pid, started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at'),
      listWorkers: db.prepare<[number], WorkerRow>('SELECT id, study_id, host, pid, started_at, heartbeat_at FROM workers WHERE study_id = ? ORDER BY started_at, id'),
      trial: db.prepare<[number], TrialRow>(`SELECT ${TRIAL_COLS} FROM trials WHERE id = ?`),
      trialSteps: db.prepare<[number], StepRow>('SELECT trial_id, step, metrics, at FROM trial_steps WHERE trial_id = ? ORDER BY step'),
      listTrials: db.prepare<[number], TrialRow>(`SELECT ${TRIAL_COLS} FROM trials WHERE study_id = ? ORDER BY number`),
      studySteps: db.prepare<[number], StepRow>('SELECT trial_id, step, metrics, at FROM trial_steps WHERE study_id = ? ORDER BY trial_id, step'),
      pageTrials: db.prepare<[number, number, number], TrialRow>(`SELECT ${TRIAL_COLS} FROM trials WHERE study_id = ? AND number >= ? ORDER BY number LIMIT ?`),
      pageSteps: db.prepare<[number, number, number], StepRow>(
        `SELECT s.trial_id, s.step, s.metrics, s.at FROM trials t JOIN trial_steps s ON s.trial_id = t.id
         WHERE t.study_id = ? AND t.number BETWEEN ? AND ? ORDER BY s.trial_id, s.step`),
    };
  }

  async createStudy(raw: NewStudy): Promise<StudyRecord> {
    const study = cleanStudy(raw);
    const createdAt = this.now();
    const spec = JSON.stringify(study.spec ?? null);
    const objectives = storedObjectives(study);
    try {
      const row = this.st.insertStudy.get(study.name, study.direction, study.metric, objectives && JSON.stringify(objectives), spec, createdAt) as {
        id: number;
      };
      return deepFreeze({
        id: row.id, name: study.name, direction: study.direction, metric: study.metric, objectives: readObjectives(study.metric, study.direction, objectives),
        spec: JSON.parse(spec) as unknown, createdAt,
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw new StorageError(`Study \`${study.name}\` already exists`, { code: 'STUDY_EXISTS', cause: e });
      throw wrap(e, 'createStudy');
    }
  }

  async getStudy(name: string): Promise<StudyRecord | null> {
    const row = this.st.studyByName.get(cleanKey(name));
    return row ? toStudy(row) : null;
  }

  async listStudies(): Promise<StudySummary[]> {
    const read = this.db.transaction(() => {
      const counts = new Map<number, Record<TrialState, number>>();
      for (const r of this.st.countsAll.all()) {
        const c = counts.get(r.study_id) ?? emptyCounts();
        c[r.state as TrialState] = r.n;
        counts.set(r.study_id, c);
      }
      return this.st.listStudies.all().map((row) => deepFreeze<StudySummary>({ ...toStudy(row), counts: counts.get(row.id) ?? emptyCounts() }));
    });
    return read.deferred();
  }

  async deleteStudy(name: string): Promise<boolean> {
    return this.st.deleteStudy.run(cleanKey(name)).changes > 0;
  }

  async retryTrials(studyId: number, numbers: readonly number[]): Promise<TrialRecord[]> {
    checkId(studyId, 'studyId');
    const now = this.now();
    const tx = this.db.transaction(() => {
      this.checkStudy(studyId);
      const live = new Set(this.db.prepare<[number], { plan_key: string }>("SELECT plan_key FROM trials WHERE study_id = ? AND state != 'failed'")
        .all(studyId).map((r) => r.plan_key));
      const byNumber = this.db.prepare<[number, number], TrialRow & { plan_key: string }>(`SELECT plan_key, ${TRIAL_COLS} FROM trials WHERE study_id = ? AND number = ?`);
      const created: TrialRecord[] = [];
      for (const n of numbers) {
        const t = Number.isSafeInteger(n) ? byNumber.get(studyId, n) : undefined;
        if (!t || t.state !== 'failed' || live.has(t.plan_key)) continue;
        live.add(t.plan_key);
        const number = (this.st.takeNumbers.get(1, studyId)?.next_number ?? 1) - 1;
        const attrs = JSON.stringify({ ...parseJson<Record<string, unknown>>(t.attrs, 'attrs', {}), retry_of: t.number });
        created.push(toTrial(this.st.insertTrial.get(studyId, number, 'waiting', t.params, t.seed, t.budget, t.plan_key, null, attrs, null, 0, now, null, null) as TrialRow, []));
      }
      return created;
    });
    return tx.immediate();
  }

  async enqueueTrials(studyId: number, plans: readonly TrialPlan[]): Promise<TrialRecord[]> {
    this.checkStudy(studyId);
    const now = this.now();
    const tx = this.db.transaction(() => {
      this.checkStudy(studyId);
      const fresh: { plan: TrialPlan; key: string }[] = [];
      const seen = new Set<string>();
      for (const raw of plans) {
        const plan = cleanPlan(raw);
        const key = planKey(plan);
        if (seen.has(key) || this.st.keyExists.get(studyId, key)) continue;
        seen.add(key);
        fresh.push({ plan, key });
      }
      if (fresh.length === 0) return [];
      const next = this.st.takeNumbers.get(fresh.length, studyId)?.next_number ?? fresh.length;
      let number = next - fresh.length;
      return fresh.map(({ plan, key }) => toTrial(this.st.insertTrial.get(
        studyId, number++, 'waiting', JSON.stringify(plan.params), plan.seed, plan.budget, key, key, JSON.stringify(plan.attrs ?? {}), null, 0, now, null, null) as TrialRow, []));
    });
    return tx.immediate();
  }

  async createRunningTrial(studyId: number, workerId: string, plan: TrialPlan): Promise<TrialRecord> {
    return this.insertRunning(studyId, workerId, plan, null) as Promise<TrialRecord>;
  }

  async createRunningTrialIfBelow(studyId: number, workerId: string, plan: TrialPlan, maxTrials: number): Promise<TrialRecord | null> {
    checkMaxTrials(maxTrials);
    const r = await this.insertRunning(studyId, workerId, plan, maxTrials);
    return typeof r === 'string' ? null : r;
  }

  async createRunningTrialAt(studyId: number, workerId: string, number: number, plan: TrialPlan, options: CreateTrialOptions = {}): Promise<CreateTrialResult> {
    checkNumber(number);
    if (options.maxTrials !== undefined) checkMaxTrials(options.maxTrials);
    const r = await this.insertRunning(studyId, workerId, plan, options.maxTrials ?? null, options.started !== false, number);
    return typeof r === 'string' ? { trial: null, reason: r } : { trial: r };
  }

  /**
   * Numbers and inserts a running trial in one BEGIN IMMEDIATE transaction (the database's write lock, held
   * against every other connection and process), so the limit check and the insert are one atomic step.
   */
  private async insertRunning(studyId: number, rawWorkerId: string, rawPlan: TrialPlan, maxTrials: number | null, started = true, expected: number | null = null): Promise<TrialRecord | 'limit' | 'taken'> {
    checkId(studyId, 'studyId');
    const plan = cleanPlan(rawPlan);
    const workerId = cleanKey(rawWorkerId);
    const now = this.now();
    const key = planKey(plan);
    const tx = this.db.transaction((): TrialRecord | 'limit' | 'taken' => {
      const study = this.st.studyNext.get(studyId);
      if (!study) throw notFound(studyId);
      // Trial numbers are dense (0, 1, …), so next_number is the study's trial count.
      if (maxTrials !== null && study.next_number >= maxTrials) return 'limit';
      if (expected !== null && study.next_number !== expected) return 'taken';
      // A sampler may propose a point twice; only the first copy holds the dedupe key.
      const dedupe = this.st.keyExists.get(studyId, key) ? null : key;
      const number = (this.st.takeNumbers.get(1, studyId)?.next_number ?? 1) - 1;
      return toTrial(this.st.insertTrial.get(studyId, number, 'running', JSON.stringify(plan.params), plan.seed, plan.budget, key, dedupe,
        JSON.stringify(plan.attrs ?? {}), workerId, started ? 1 : 0, now, started ? now : null, now) as TrialRow, []);
    });
    return tx.immediate();
  }

  async claimTrial(studyId: number, workerId: string, options: { readonly started?: boolean } = {}): Promise<TrialRecord | null> {
    checkId(studyId, 'studyId');
    const now = this.now();
    const started = options.started !== false;
    const tx = this.db.transaction(() => {
      const row = this.st.claim.get(cleanKey(workerId), started ? 1 : 0, started ? now : null, now, studyId);
      if (!row) {
        this.checkStudy(studyId);
        return null;
      }
      return toTrial(row, this.st.trialSteps.all(row.id));
    });
    return tx.immediate();
  }

  async startTrial(trialId: number, workerId: string): Promise<boolean> {
    const now = this.now();
    return this.st.start.run(now, now, trialId, cleanKey(workerId)).changes > 0;
  }

  async reportStep(trialId: number, rawWorkerId: string, step: number, metrics: Metrics): Promise<boolean> {
    checkStep(step);
    const workerId = cleanKey(rawWorkerId);
    const now = this.now();
    const tx = this.db.transaction(() => {
      const t = this.st.owned.get(trialId, workerId);
      if (!t) return false;
      this.st.upsertStep.run(trialId, t.study_id, step, JSON.stringify(cleanMetrics(metrics)), now);
      this.st.touch.run(now, trialId, workerId);
      return true;
    });
    return tx.immediate();
  }

  async setTrialAttrs(trialId: number, workerId: string, attrs: Readonly<Record<string, unknown>>): Promise<boolean> {
    const tx = this.db.transaction(() => {
      const t = this.st.owned.get(trialId, cleanKey(workerId));
      if (!t) return false;
      const merged = { ...parseJson<Record<string, unknown>>(t.attrs, 'attrs', {}), ...cleanJson(attrs) };
      this.st.setAttrs.run(JSON.stringify(merged), trialId);
      return true;
    });
    return tx.immediate();
  }

  async heartbeat(trialId: number, rawWorkerId: string): Promise<boolean> {
    const workerId = cleanKey(rawWorkerId);
    const now = this.now();
    const tx = this.db.transaction(() => {
      const t = this.st.owned.get(trialId, workerId);
      if (!t) return false;
      this.st.touch.run(now, trialId, workerId);
      this.st.touchWorker.run(now, t.study_id, workerId);
      return true;
    });
    return tx.immediate();
  }

  async finishTrial(trialId: number, workerId: string, outcome: Outcome): Promise<boolean> {
    const f = finishFields(outcome);
    const now = this.now();
    const tx = this.db.transaction(() => {
      const done = this.st.finish.run(
        f.state, f.value, f.values && JSON.stringify(f.values), JSON.stringify(f.metrics), f.error, now, trialId, cleanKey(workerId)).changes > 0;
      if (done && Object.keys(f.attrs).length > 0) {
        const row = this.st.trial.get(trialId);
        if (row) this.st.setAttrs.run(JSON.stringify({ ...parseJson<Record<string, unknown>>(row.attrs, 'attrs', {}), ...f.attrs }), trialId);
      }
      return done;
    });
    return tx.immediate();
  }

  async requeueStale(studyId: number, options: { staleMs: number; maxAttempts: number; workerIds?: readonly string[] }): Promise<number> {
    checkId(studyId, 'studyId');
    const now = this.now();
    const lost = new Set((options.workerIds ?? []).map(cleanKey));
    const tx = this.db.transaction(() => {
      this.checkStudy(studyId);
      let touched = 0;
      for (const t of this.st.running.all(studyId)) {
        const stale = options.staleMs <= 0 || (t.heartbeat_at ?? 0) < now - options.staleMs;
        if (!stale && !(t.worker_id !== null && lost.has(t.worker_id))) continue;
        touched++;
        if (t.attempts >= options.maxAttempts) {
          this.st.failLost.run(lostWorkerError(t.worker_id, t.attempts), now, t.id);
        } else {
          this.st.requeue.run(t.id);
          this.st.clearSteps.run(t.id);
        }
      }
      return touched;
    });
    return tx.immediate();
  }

  async workerHeartbeat(raw: Omit<WorkerRecord, 'heartbeatAt'>): Promise<void> {
    const worker = cleanWorker(raw);
    this.checkStudy(worker.studyId);
    this.st.upsertWorker.run(worker.studyId, worker.id, worker.host, worker.pid, worker.startedAt, this.now());
  }

  async listWorkers(studyId: number): Promise<WorkerRecord[]> {
    this.checkStudy(studyId);
    return this.st.listWorkers.all(studyId).map((w) =>
      deepFreeze({ id: w.id, studyId: w.study_id, host: w.host, pid: w.pid, startedAt: w.started_at, heartbeatAt: w.heartbeat_at }));
  }

  async getTrial(trialId: number): Promise<TrialRecord | null> {
    const read = this.db.transaction(() => {
      const row = this.st.trial.get(trialId);
      return row ? toTrial(row, this.st.trialSteps.all(trialId)) : null;
    });
    return read.deferred();
  }

  async listTrials(studyId: number, query: TrialQuery = {}): Promise<TrialRecord[]> {
    this.checkStudy(studyId);
    const states = query.states ? new Set<string>(query.states) : null;
    if (states && states.size === 0) return [];
    if (states && !states.has('complete')) {
      // A few states (running, waiting): read just those trials through an index on state, not the whole study.
      // The states are bound one by one and `+number` keeps the planner from walking the study in number order
      // instead (120 ms at 100,000 trials, against under 1 ms).
      const list = [...states];
      const few = this.db.transaction(() => this.db.prepare<unknown[], TrialRow>(
        `SELECT ${TRIAL_COLS} FROM trials WHERE study_id = ? AND state IN (${list.map(() => '?').join(', ')}) ORDER BY +number`)
        .all(studyId, ...list).map((r) => toTrial(r, this.st.trialSteps.all(r.id))));
      return few.deferred();
    }
    const read = this.db.transaction(() => {
      const steps = new Map<number, StepRow[]>();
      for (const s of this.st.studySteps.all(studyId)) {
        const list = steps.get(s.trial_id);
        if (list) list.push(s);
        else steps.set(s.trial_id, [s]);
      }
      return this.st.listTrials.all(studyId).filter((r) => !states || states.has(r.state)).map((r) => toTrial(r, steps.get(r.id) ?? []));
    });
    return read.deferred();
  }

  /** Trials numbered ≥ fromNumber or with an id in `ids`: O(changes), not O(study). */
  async listTrialsFrom(studyId: number, fromNumber: number, ids: readonly number[]): Promise<TrialRecord[]> {
    this.checkStudy(studyId);
    // Two index searches (the tail by number, the ids by rowid): with `number >= ? OR id IN (...)` SQLite
    // scans every trial of the study, which made this O(study size).
    const cols = TRIAL_COLS.split(',').map((c) => `t.${c.trim()}`).join(', ');
    const read = this.db.transaction(() => this.db.prepare<[number, number, string, number, number], TrialRow>(
      `SELECT ${cols} FROM trials t WHERE t.study_id = ? AND t.number >= ?
       UNION ALL
       SELECT ${cols} FROM json_each(?) j CROSS JOIN trials t ON t.id = j.value WHERE t.study_id = ? AND t.number < ?
       ORDER BY number`)
      .all(studyId, fromNumber, JSON.stringify(ids), studyId, fromNumber).map((r) => toTrial(r, this.st.trialSteps.all(r.id))));
    return read.deferred();
  }

  /**
   * A page by number plus the held ids before it (two index searches, as listTrialsFrom), each trial with its steps
   * folded into one JSON text by a correlated subquery over the steps' primary key: the step numbers and each wanted
   * metric picked out of the step's JSON by SQLite (json_extract), as flat arrays. So the rows SQLite hands over are one
   * per trial, not one per step, and no step's metrics are parsed here: 100,000 trials of 10 epochs read in about half
   * the time one row per step took (bench/dashboard-scale.ts). Statements are prepared once per shape of query.
   */
  async listTrialDigests(studyId: number, query: TrialDigestQuery): Promise<TrialDigest[]> {
    this.checkStudy(studyId);
    checkDigestQuery(query);
    // Each metric picked out of the step's JSON by a quoted path; a name the path cannot spell as stored (a quote, a
    // backslash or a control character, which the JSON text escapes) takes the step's whole JSON, picked here.
    const byPath = query.metrics.map((m) => ![...m].some((ch) => ch === '"' || ch === '\\' || ch.charCodeAt(0) < 0x20));
    const paths = query.metrics.filter((_, k) => byPath[k]).map((m) => `$."${m}"`);
    const ids = [...new Set(query.ids ?? [])];
    const statement = this.digestStatement(byPath, ids.length > 0);
    const read = this.db.transaction(() => (ids.length > 0
      ? statement.all(...paths, studyId, query.fromNumber, query.limit, JSON.stringify(ids), studyId, query.fromNumber)
      : statement.all(...paths, studyId, query.fromNumber, query.limit)));
    return read.deferred().map((r) => {
      const { steps: _none, ...rest } = toTrial(r, []);
      const folded = r.digest === null ? null : parseJson<unknown[][]>(r.digest, 'trial_steps', []);
      let steps = (folded?.[0] ?? []) as number[];
      let curves = query.metrics.map((m, k) => {
        const raw = folded?.[k + 1] ?? [];
        return byPath[k] ? raw.map(digestValue) : raw.map((x) => digestValue((x as Metrics | null)?.[m]));
      });
      // The primary key hands the steps over in order; should a plan ever not, they are put in order here.
      if (steps.some((st, i) => i > 0 && st < (steps[i - 1] as number))) {
        const order = steps.map((_, i) => i).sort((i, j) => (steps[i] as number) - (steps[j] as number));
        steps = order.map((i) => steps[i] as number);
        curves = curves.map((c) => order.map((i) => c[i] as number | null));
      }
      return deepFreeze<TrialDigest>({ ...rest, steps, curves });
    });
  }

  /** The statement listTrialDigests runs for metrics picked by path or whole (`byPath`), with or without held ids. */
  private digestStatement(byPath: readonly boolean[], withIds: boolean): Database.Statement<unknown[], TrialRow & { digest: string | null }> {
    const key = `${byPath.map((b) => (b ? 'p' : 'w')).join('')}:${withIds}`;
    let st = this.digestStatements.get(key);
    if (st) return st;
    const cols = TRIAL_COLS.split(',').map((c) => `t.${c.trim()}`).join(', ');
    const picks = byPath.map((b) => (b ? ', json_group_array(json_extract(s.metrics, ?))' : ', json_group_array(json(s.metrics))')).join('');
    const digest = `(SELECT json_array(json_group_array(s.step)${picks}) FROM trial_steps s WHERE s.trial_id = t.id) AS digest`;
    const page = `SELECT ${cols} FROM trials t WHERE t.study_id = ? AND t.number >= ? ORDER BY t.number LIMIT ?`;
    st = this.db.prepare<unknown[], TrialRow & { digest: string | null }>(withIds
      ? `SELECT t.*, ${digest} FROM (SELECT * FROM (${page})
           UNION ALL
           SELECT ${cols} FROM json_each(?) j CROSS JOIN trials t ON t.id = j.value WHERE t.study_id = ? AND t.number < ?) t
         ORDER BY t.number`
      : `SELECT ${cols}, ${digest} FROM trials t WHERE t.study_id = ? AND t.number >= ? ORDER BY t.number LIMIT ?`);
    this.digestStatements.set(key, st);
    return st;
  }

  async listTrialsPage(studyId: number, fromNumber: number, limit: number): Promise<TrialRecord[]> {
    checkPage(fromNumber, limit);
    this.checkStudy(studyId);
    // By the (study_id, number) unique index; the page's steps in one query over the same range.
    const read = this.db.transaction(() => {
      const rows = this.st.pageTrials.all(studyId, fromNumber, limit);
      const steps = new Map<number, StepRow[]>();
      const last = rows[rows.length - 1];
      if (last !== undefined) {
        for (const s of this.st.pageSteps.all(studyId, fromNumber, last.number)) {
          const list = steps.get(s.trial_id);
          if (list) list.push(s);
          else steps.set(s.trial_id, [s]);
        }
      }
      return rows.map((r) => toTrial(r, steps.get(r.id) ?? []));
    });
    return read.deferred();
  }

  async countTrials(studyId: number): Promise<StateCounts> {
    this.checkStudy(studyId);
    const c = emptyCounts();
    for (const r of this.st.counts.all(studyId)) c[r.state as TrialState] = r.n;
    return deepFreeze(c);
  }

  /**
   * Each state's best n read in order from the index trials_best (study_id, state, value), then merged: O(n log N)
   * per call, whatever the study's size; the valueless ones (failed trials) come last, by number.
   */
  async bestTrials(studyId: number, query: BestTrialsQuery): Promise<TrialRecord[]> {
    this.checkStudy(studyId);
    const states = checkBestQuery(query);
    const order = query.direction === 'maximize' ? 'DESC' : 'ASC';
    const valued = this.db.prepare<[number, string, number], TrialRow>(
      `SELECT ${TRIAL_COLS} FROM trials WHERE study_id = ? AND state = ? AND value IS NOT NULL ORDER BY value ${order}, number LIMIT ?`);
    const valueless = this.db.prepare<[number, string, number], TrialRow>(
      `SELECT ${TRIAL_COLS} FROM trials WHERE study_id = ? AND state = ? AND value IS NULL ORDER BY +number LIMIT ?`);
    const read = this.db.transaction(() => mergeBest(states.flatMap((state) => [valued, valueless].map((st) =>
      st.all(studyId, state, query.n).map((r) => toTrial(r, this.st.trialSteps.all(r.id))))), query.n, query.direction));
    return read.deferred();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private checkStudy(studyId: number): void {
    checkId(studyId, 'studyId');
    if (!this.st.studyExists.get(studyId)) throw notFound(studyId);
  }
}

function notFound(studyId: number): StorageError {
  return new StorageError(`Study with id ${studyId} not found`, { code: 'STUDY_NOT_FOUND' });
}

/** Applies pending migrations in one immediate transaction; refuses a schema newer than this code knows. */
function migrate(db: Database.Database, path: string): void {
  const run = db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS hz_schema_version (version INTEGER NOT NULL)');
    const row = db.prepare<[], { version: number }>('SELECT version FROM hz_schema_version').get();
    const version = row?.version ?? 0;
    if (version > SQLITE_MIGRATIONS.length) {
      throw new StorageError(`SQLite database \`${path}\` has schema version ${version}, newer than this hyperzone knows (${SQLITE_MIGRATIONS.length}); upgrade hyperzone to open it`);
    }
    for (let v = version; v < SQLITE_MIGRATIONS.length; v++) db.exec(SQLITE_MIGRATIONS[v] ?? '');
    if (!row) db.prepare('INSERT INTO hz_schema_version (version) VALUES (?)').run(SQLITE_MIGRATIONS.length);
    else if (version !== SQLITE_MIGRATIONS.length) db.prepare('UPDATE hz_schema_version SET version = ?').run(SQLITE_MIGRATIONS.length);
  });
  run.immediate();
}

function isUniqueViolation(e: unknown): boolean {
  return typeof e === 'object' && e !== null && 'code' in e && (e as { code: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}

function wrap(e: unknown, op: string): StorageError {
  return new StorageError(`SQLite ${op} failed: ${describeError(e)}`, { cause: e });
}

function toStudy(row: StudyRow): StudyRecord {
  return deepFreeze({
    id: row.id, name: row.name, direction: row.direction as StudyRecord['direction'], metric: row.metric,
    objectives: readObjectives(row.metric, row.direction, parseJson<StudyRecord['objectives'] | null>(row.objectives, 'objectives', null)),
    spec: parseJson<unknown>(row.spec, 'spec', null), createdAt: row.created_at,
  });
}

function toTrial(r: TrialRow, steps: readonly StepRow[]): TrialRecord {
  return deepFreeze<TrialRecord>({
    id: r.id, studyId: r.study_id, number: r.number, state: r.state as TrialState,
    params: parseJson(r.params, 'params', {}), seed: r.seed, budget: r.budget, value: r.value,
    values: readValues(r.value, parseJson<number[] | null>(r.value_vec, 'value_vec', null)),
    metrics: parseJson<Metrics>(r.metrics, 'metrics', {}),
    steps: steps.map((s): StepReport => ({ step: s.step, metrics: parseJson<Metrics>(s.metrics, 'trial_steps.metrics', {}), at: s.at })),
    attrs: parseJson<Record<string, unknown>>(r.attrs, 'attrs', {}), error: r.error, workerId: r.worker_id, attempts: r.attempts,
    createdAt: r.created_at, startedAt: r.started_at, finishedAt: r.finished_at, heartbeatAt: r.heartbeat_at,
  });
}
