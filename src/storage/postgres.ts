import pg from 'pg';
import { readFileSync } from 'node:fs';
import type { Metrics, Outcome, StateCounts, StepReport, StudyRecord, TrialPlan, TrialRecord, TrialState } from '../core/types.js';
import { InputError, StorageError, describeError } from '../core/errors.js';
import { emptyCounts, planKey, type CreateTrialOptions, type CreateTrialResult, type NewStudy, type Storage, type StudySummary, type TrialQuery, type WorkerRecord, type BestTrialsQuery, type TrialDigest, type TrialDigestQuery } from './storage.js';
import { checkBestQuery, checkDigestQuery, readObjectives, readValues, storedObjectives, digestValue, mergeBest, checkId, checkMaxTrials, checkNumber, checkPage, checkStep, deepFreeze, finishFields, lostWorkerError } from './snapshot.js';
import { redactUrl, scrubSecret } from './redact.js';
import { cleanJson, cleanKey, cleanMetrics, cleanPlan, cleanStudy, cleanWorker } from './sanitize.js';

/** Ordered schema migrations; entry i takes the schema from version i to i+1. `{s}` is the quoted schema. */
export const POSTGRES_MIGRATIONS: readonly string[] = [
  `CREATE TABLE {s}.hz_studies (
     id BIGSERIAL PRIMARY KEY,
     name TEXT NOT NULL UNIQUE,
     direction TEXT NOT NULL,
     metric TEXT NOT NULL,
     spec JSON NOT NULL,
     created_at BIGINT NOT NULL,
     next_number BIGINT NOT NULL DEFAULT 0
   );
   CREATE TABLE {s}.hz_trials (
     id BIGSERIAL PRIMARY KEY,
     study_id BIGINT NOT NULL REFERENCES {s}.hz_studies(id) ON DELETE CASCADE,
     number BIGINT NOT NULL,
     state TEXT NOT NULL,
     params JSON NOT NULL,
     seed BIGINT NOT NULL,
     budget DOUBLE PRECISION,
     plan_key TEXT NOT NULL,
     dedupe_key TEXT,
     value DOUBLE PRECISION,
     metrics JSON NOT NULL DEFAULT '{}',
     attrs JSONB NOT NULL DEFAULT '{}',
     error TEXT,
     worker_id TEXT,
     attempts INTEGER NOT NULL DEFAULT 0,
     created_at BIGINT NOT NULL,
     started_at BIGINT,
     finished_at BIGINT,
     heartbeat_at BIGINT,
     UNIQUE (study_id, number),
     UNIQUE (study_id, dedupe_key)
   );
   CREATE INDEX hz_trials_claim ON {s}.hz_trials (study_id, number) WHERE state = 'waiting';
   CREATE INDEX hz_trials_state ON {s}.hz_trials (study_id, state);
   CREATE TABLE {s}.hz_trial_steps (
     trial_id BIGINT NOT NULL REFERENCES {s}.hz_trials(id) ON DELETE CASCADE,
     study_id BIGINT NOT NULL,
     step INTEGER NOT NULL,
     metrics JSON NOT NULL,
     at BIGINT NOT NULL,
     PRIMARY KEY (trial_id, step)
   );
   CREATE TABLE {s}.hz_workers (
     study_id BIGINT NOT NULL REFERENCES {s}.hz_studies(id) ON DELETE CASCADE,
     id TEXT NOT NULL,
     host TEXT NOT NULL,
     pid INTEGER NOT NULL,
     started_at BIGINT NOT NULL,
     heartbeat_at BIGINT NOT NULL,
     PRIMARY KEY (study_id, id)
   );`,
  // Room on each page for HOT updates: heartbeats and step reports rewrite a trial row without touching its indexes.
  `ALTER TABLE {s}.hz_trials SET (fillfactor = 70);
   ALTER TABLE {s}.hz_studies SET (fillfactor = 50);`,
  // `status` reads the best trials in order from this index (bestTrials) instead of sorting the study.
  'CREATE INDEX hz_trials_best ON {s}.hz_trials (study_id, state, value)',
  // Multi-objective studies: the study's objectives and each trial's value vector (NULL = the one `value`).
  `ALTER TABLE {s}.hz_studies ADD COLUMN objectives JSON;
   ALTER TABLE {s}.hz_trials ADD COLUMN value_vec JSON;`,
];

/** Options for PostgresStorage. */
export interface PostgresStorageOptions {
  /** A postgres:// or postgresql:// URL; user, password, host and database default to pg's env (PGHOST, PGPASSWORD, ...). */
  readonly url: string;
  /** The schema holding hyperzone's tables (created if missing); default `public`. */
  readonly schema?: string;
  /** A file whose (trimmed) content is the password, used when the URL has none. */
  readonly passwordFile?: string;
  /** Pool size (default 10). */
  readonly poolSize?: number;
  /**
   * Commit step reports, attrs and heartbeats without waiting for the WAL flush (synchronous_commit=off
   * on a second pool; default true). A server crash may lose the last few ms of them, never corrupt or
   * reorder anything; claims, enqueues and finishes always wait for the flush.
   */
  readonly asyncReports?: boolean;
  /** The clock, in milliseconds since the epoch (tests inject one). */
  readonly now?: () => number;
  /**
   * How long a statement keeps being retried while the server is unreachable after a successful connect
   * (a restart, a failover), in ms; default 60 000, or env HYPERZONE_PG_RETRY_MS. 0 disables retries.
   */
  readonly retryMs?: number;
  /** Open only a schema that already holds hyperzone's tables (read-only commands); otherwise InputError, nothing created. */
  readonly mustExist?: boolean;
}

type Num = number | string;
interface StudyRow { id: Num; name: string; direction: string; metric: string; objectives: StudyRecord['objectives'] | null; spec: unknown; created_at: Num }
interface TrialRow {
  id: Num; study_id: Num; number: Num; state: string; params: Record<string, never>; seed: Num; budget: number | null;
  value: number | null; value_vec: number[] | null; metrics: Metrics;
  attrs: Record<string, unknown>; error: string | null; worker_id: string | null; attempts: number;
  created_at: Num; started_at: Num | null; finished_at: Num | null; heartbeat_at: Num | null; steps?: { step: number; metrics: Metrics; at: Num }[];
}

const TRIAL_COLS = 'id, study_id, number, state, params, seed, budget, value, value_vec, metrics, attrs, error, worker_id, attempts, created_at, started_at, finished_at, heartbeat_at';
/**
 * Errors after which the same statement may be sent again, nothing having been committed: the server went away
 * (restart, failover), or had no free connection slot (53300, "too many clients": many workers and other users of a
 * shared server; a step report failing on it used to fail the trial).
 */
const RETRY_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', '53300', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006']);
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', '28P01', '28000', '3D000', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006']);

/**
 * Storage in PostgreSQL (pg Pool), for many workers on many machines: claims with
 * `FOR UPDATE SKIP LOCKED`, dedupe by a unique key, and finishes guarded by state and worker.
 */
export class PostgresStorage implements Storage {
  private readonly t: { studies: string; trials: string; steps: string; workers: string };
  private closed = false;
  /** Statements are retried through server restarts only once the first connect has succeeded. */
  private retryMs = 0;
  /** Set once the first connect succeeded: from then on, losing the server is an outage (STORAGE_UNAVAILABLE), not bad input. */
  private connected = false;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly reportPool: pg.Pool,
    readonly schema: string,
    private readonly label: string,
    private readonly secret: string | undefined,
    private readonly now: () => number,
  ) {
    const q = quoteIdent(schema);
    this.t = { studies: `${q}.hz_studies`, trials: `${q}.hz_trials`, steps: `${q}.hz_trial_steps`, workers: `${q}.hz_workers` };
  }

  /** Connects, creates the schema if needed and migrates it; connection failures throw StorageError CONNECTION_ERROR. */
  static async connect(options: PostgresStorageOptions): Promise<PostgresStorage> {
    const schema = options.schema ?? 'public';
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) throw new InputError(`Expected \`schema\` to be a plain identifier (letters, digits, _), got ${JSON.stringify(schema)}`);
    const label = redactUrl(options.url);
    let parsed: URL;
    try {
      parsed = new URL(options.url);
    } catch (e) {
      throw new StorageError(`Expected a postgres:// URL, got ${label}`, { cause: e, code: 'CONNECTION_ERROR' });
    }
    let password: string | undefined = parsed.password ? decodeURIComponent(parsed.password) : undefined;
    if (password === undefined && options.passwordFile) {
      try {
        password = readFileSync(options.passwordFile, 'utf8').trim();
      } catch (e) {
        throw new StorageError(`Cannot read the PostgreSQL password file \`${options.passwordFile}\`: ${describeError(e)}`, { cause: e, code: 'CONNECTION_ERROR' });
      }
    }
    const secret = password ?? process.env['PGPASSWORD'];
    const config: pg.PoolConfig = { connectionString: options.url, max: options.poolSize ?? 10, connectionTimeoutMillis: 15_000 };
    if (password !== undefined) config.password = password;
    const pool = new pg.Pool(config);
    // An idle client losing its connection must not crash the process; the next query reports it. Every client
    // also gets its own listener: the pool's idle listener removes itself after one error, and a cut connection
    // can emit a second one (or one while checked out), which would be an unhandled 'error' (fault test, issue 17).
    pool.on('error', () => undefined);
    pool.on('connect', (client) => client.on('error', () => undefined));
    let reportPool = pool;
    if (options.asyncReports ?? true) {
      // A startup parameter, so every connection of this pool has it before its first query.
      reportPool = new pg.Pool({ ...config, options: '-c synchronous_commit=off' });
      reportPool.on('error', () => undefined);
      reportPool.on('connect', (client) => client.on('error', () => undefined));
    }
    const storage = new PostgresStorage(pool, reportPool, schema, label, secret, options.now ?? Date.now);
    const retryMs = Math.max(0, options.retryMs ?? envMs('HYPERZONE_PG_RETRY_MS') ?? 60_000);
    try {
      // A server that answers but has no free connection slot (53300) is busy, not misnamed: wait for a slot as a
      // running worker would. Anything else at connect time (refused, unknown host, bad password) fails at once.
      const deadline = Date.now() + retryMs;
      for (let wait = 100; ; wait = Math.min(2000, wait * 2)) {
        try {
          await storage.migrate(options.mustExist === true);
          break;
        } catch (e) {
          const left = deadline - Date.now();
          if (pgCode(e instanceof StorageError ? e.cause : e) !== '53300' || left <= 0) throw e;
          await new Promise((r) => setTimeout(r, Math.min(wait, left)));
        }
      }
    } catch (e) {
      await pool.end().catch(() => undefined);
      if (reportPool !== pool) await reportPool.end().catch(() => undefined);
      throw e instanceof InputError ? e : storage.wrap(e, 'connect');
    }
    storage.retryMs = retryMs;
    storage.connected = true;
    return storage;
  }

  private async migrate(mustExist: boolean): Promise<void> {
    const q = quoteIdent(this.schema);
    if (mustExist) {
      const r = await this.pool.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [`${q}.hz_schema_version`]);
      if (r.rows[0]?.t == null) throw new InputError(`No storage at ${this.label} (\`--storage\`): schema \`${this.schema}\` holds no hyperzone tables`, { code: 'STUDY_NOT_FOUND' });
    }
    await this.tx(async (c) => {
      // One migrator at a time per schema, across processes and machines.
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`hyperzone:${this.schema}`]);
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${q}`);
      await c.query(`CREATE TABLE IF NOT EXISTS ${q}.hz_schema_version (version INTEGER NOT NULL)`);
      const r = await c.query<{ version: number }>(`SELECT version FROM ${q}.hz_schema_version`);
      const row = r.rows[0];
      const version = row?.version ?? 0;
      if (version > POSTGRES_MIGRATIONS.length) {
        throw new StorageError(`PostgreSQL schema \`${this.schema}\` at ${this.label} has schema version ${version}, newer than this hyperzone knows (${POSTGRES_MIGRATIONS.length}); upgrade hyperzone to open it`);
      }
      for (let v = version; v < POSTGRES_MIGRATIONS.length; v++) await c.query((POSTGRES_MIGRATIONS[v] ?? '').replaceAll('{s}', q));
      if (!row) await c.query(`INSERT INTO ${q}.hz_schema_version (version) VALUES ($1)`, [POSTGRES_MIGRATIONS.length]);
      else if (version !== POSTGRES_MIGRATIONS.length) await c.query(`UPDATE ${q}.hz_schema_version SET version = $1`, [POSTGRES_MIGRATIONS.length]);
    });
  }

  async createStudy(raw: NewStudy): Promise<StudyRecord> {
    const study = cleanStudy(raw);
    const createdAt = this.now();
    const spec = JSON.stringify(study.spec ?? null);
    const objectives = storedObjectives(study);
    try {
      const r = await this.pool.query<{ id: Num }>(`INSERT INTO ${this.t.studies} (name, direction, metric, objectives, spec, created_at) VALUES ($1, $2, $3, $4::json, $5::json, $6) RETURNING id`,
        [study.name, study.direction, study.metric, objectives && JSON.stringify(objectives), spec, createdAt]);
      const id = Number(r.rows[0]?.id);
      return deepFreeze({
        id, name: study.name, direction: study.direction, metric: study.metric, objectives: readObjectives(study.metric, study.direction, objectives),
        spec: JSON.parse(spec) as unknown, createdAt,
      });
    } catch (e) {
      if (pgCode(e) === '23505') throw new StorageError(`Study \`${study.name}\` already exists`, { code: 'STUDY_EXISTS', cause: e });
      throw this.wrap(e, 'createStudy');
    }
  }

  async getStudy(name: string): Promise<StudyRecord | null> {
    const r = await this.query<StudyRow>(`SELECT id, name, direction, metric, objectives, spec, created_at FROM ${this.t.studies} WHERE name = $1`, [cleanKey(name)]);
    const row = r.rows[0];
    return row ? toStudy(row) : null;
  }

  async listStudies(): Promise<StudySummary[]> {
    const r = await this.query<StudyRow & { counts: Record<string, Num> | null }>(
      `SELECT s.id, s.name, s.direction, s.metric, s.objectives, s.spec, s.created_at,
              (SELECT json_object_agg(state, n) FROM (SELECT state, COUNT(*) AS n FROM ${this.t.trials} t WHERE t.study_id = s.id GROUP BY state) c) AS counts
       FROM ${this.t.studies} s ORDER BY s.id`);
    return r.rows.map((row) => {
      const counts = emptyCounts();
      for (const [k, v] of Object.entries(row.counts ?? {})) counts[k as TrialState] = Number(v);
      return deepFreeze<StudySummary>({ ...toStudy(row), counts });
    });
  }

  async deleteStudy(name: string): Promise<boolean> {
    const r = await this.query(`DELETE FROM ${this.t.studies} WHERE name = $1`, [cleanKey(name)]);
    return (r.rowCount ?? 0) > 0;
  }

  async retryTrials(studyId: number, numbers: readonly number[]): Promise<TrialRecord[]> {
    checkId(studyId, 'studyId');
    const now = this.now();
    const wanted = [...new Set(numbers.filter((n) => Number.isSafeInteger(n)))];
    return this.tx(async (c) => {
      // Locking the study row serialises trial creation within the study, as enqueueTrials does.
      const lock = await c.query(`SELECT id FROM ${this.t.studies} WHERE id = $1 FOR UPDATE`, [studyId]);
      if (lock.rowCount === 0) throw notFound(studyId);
      if (wanted.length === 0) return [];
      const failed = await c.query<{ id: Num; number: Num; plan_key: string }>(
        `SELECT id, number, plan_key FROM ${this.t.trials} WHERE study_id = $1 AND number = ANY($2::bigint[]) AND state = 'failed'`, [studyId, wanted]);
      const live = await c.query<{ plan_key: string }>(
        `SELECT DISTINCT plan_key FROM ${this.t.trials} WHERE study_id = $1 AND state <> 'failed' AND plan_key = ANY($2::text[])`, [studyId, failed.rows.map((r) => r.plan_key)]);
      const taken = new Set(live.rows.map((r) => r.plan_key));
      const order = new Map(wanted.map((n, i) => [n, i]));
      const fresh: number[] = [];
      for (const r of failed.rows.sort((a, b) => (order.get(Number(a.number)) ?? 0) - (order.get(Number(b.number)) ?? 0))) {
        if (taken.has(r.plan_key)) continue;
        taken.add(r.plan_key);
        fresh.push(Number(r.id));
      }
      if (fresh.length === 0) return [];
      const n = await c.query<{ next_number: Num }>(`UPDATE ${this.t.studies} SET next_number = next_number + $2 WHERE id = $1 RETURNING next_number`, [studyId, fresh.length]);
      const first = Number(n.rows[0]?.next_number) - fresh.length;
      const r = await c.query<TrialRow>(
        `INSERT INTO ${this.t.trials} (study_id, number, state, params, seed, budget, plan_key, dedupe_key, attrs, attempts, created_at)
         SELECT t.study_id, $2 + u.ord - 1, 'waiting', t.params, t.seed, t.budget, t.plan_key, NULL, t.attrs || jsonb_build_object('retry_of', t.number), 0, $3
         FROM unnest($1::bigint[]) WITH ORDINALITY AS u(id, ord) JOIN ${this.t.trials} t ON t.id = u.id
         RETURNING ${TRIAL_COLS}`, [fresh, first, now]);
      return r.rows.map((row) => toTrial(row)).sort((a, b) => a.number - b.number);
    }, 'retryTrials');
  }

  async enqueueTrials(studyId: number, plans: readonly TrialPlan[]): Promise<TrialRecord[]> {
    checkId(studyId, 'studyId');
    const now = this.now();
    return this.tx(async (c) => {
      // Locking the study row serialises trial creation within the study: numbers stay dense and ordered.
      const lock = await c.query(`SELECT id FROM ${this.t.studies} WHERE id = $1 FOR UPDATE`, [studyId]);
      if (lock.rowCount === 0) throw notFound(studyId);
      const seen = new Set<string>();
      const batch: { plan: TrialPlan; key: string }[] = [];
      for (const raw of plans) {
        const plan = cleanPlan(raw);
        const key = planKey(plan);
        if (!seen.has(key)) { seen.add(key); batch.push({ plan, key }); }
      }
      if (batch.length === 0) return [];
      const existing = await c.query<{ dedupe_key: string }>(`SELECT dedupe_key FROM ${this.t.trials} WHERE study_id = $1 AND dedupe_key = ANY($2::text[])`, [studyId, batch.map((b) => b.key)]);
      const taken = new Set(existing.rows.map((r) => r.dedupe_key));
      const fresh = batch.filter((b) => !taken.has(b.key));
      if (fresh.length === 0) return [];
      const n = await c.query<{ next_number: Num }>(`UPDATE ${this.t.studies} SET next_number = next_number + $2 WHERE id = $1 RETURNING next_number`, [studyId, fresh.length]);
      const first = Number(n.rows[0]?.next_number) - fresh.length;
      const r = await c.query<TrialRow>(
        `INSERT INTO ${this.t.trials} (study_id, number, state, params, seed, budget, plan_key, dedupe_key, attrs, attempts, created_at)
         SELECT $1, u.number, 'waiting', u.params::json, u.seed, u.budget, u.key, u.key, u.attrs::jsonb, 0, $2
         FROM unnest($3::bigint[], $4::text[], $5::bigint[], $6::float8[], $7::text[], $8::text[]) AS u(number, params, seed, budget, key, attrs)
         ON CONFLICT (study_id, dedupe_key) DO NOTHING
         RETURNING ${TRIAL_COLS}`,
        [studyId, now, fresh.map((_, i) => first + i), fresh.map((b) => JSON.stringify(b.plan.params)), fresh.map((b) => b.plan.seed),
          fresh.map((b) => b.plan.budget), fresh.map((b) => b.key), fresh.map((b) => JSON.stringify(b.plan.attrs ?? {}))]);
      return r.rows.map((row) => toTrial(row)).sort((a, b) => a.number - b.number);
    }, 'enqueueTrials');
  }

  async createRunningTrial(studyId: number, workerId: string, plan: TrialPlan): Promise<TrialRecord> {
    return this.insertRunning(studyId, workerId, plan, null) as Promise<TrialRecord>;
  }

  async createRunningTrialIfBelow(studyId: number, workerId: string, plan: TrialPlan, maxTrials: number): Promise<TrialRecord | null> {
    checkMaxTrials(maxTrials);
    return this.insertRunning(studyId, workerId, plan, maxTrials);
  }

  async createRunningTrialAt(studyId: number, workerId: string, number: number, plan: TrialPlan, options: CreateTrialOptions = {}): Promise<CreateTrialResult> {
    checkId(studyId, 'studyId');
    checkNumber(number);
    const maxTrials = options.maxTrials ?? null;
    if (maxTrials !== null) checkMaxTrials(maxTrials);
    const row = await this.insertRunningRow(studyId, workerId, plan, maxTrials, number, options.started !== false);
    if (row) return { trial: toTrial(row) };
    // Nothing inserted: say why (a second round trip only on this path).
    const r = await this.query<{ next_number: Num }>(`SELECT next_number FROM ${this.t.studies} WHERE id = $1`, [studyId]);
    const head = r.rows[0];
    if (!head) throw notFound(studyId);
    return { trial: null, reason: maxTrials !== null && Number(head.next_number) >= maxTrials ? 'limit' : 'taken' };
  }

  /**
   * One statement (one round trip): number the trial, insert it. The UPDATE of the study row takes its row lock
   * until commit, so trial creation in a study is serialised across connections, processes and machines; a
   * waiting UPDATE re-checks `next_number < maxTrials` on the row as the previous holder committed it (READ
   * COMMITTED re-evaluation), so a limit is never overshot. Trial numbers are dense, so next_number is the
   * study's trial count. A sampler may propose a point twice; only the first copy holds the dedupe key. Two
   * workers racing on the same new key: the loser's whole statement fails on the unique index (its numbering
   * rolled back too) and is sent again without the key. With a `number` (createRunningTrialAt) the UPDATE also
   * requires next_number to equal it, re-checked the same way, so only one of the workers racing for it wins.
   */
  private async insertRunning(studyId: number, workerId: string, plan: TrialPlan, maxTrials: number | null): Promise<TrialRecord | null> {
    checkId(studyId, 'studyId');
    const row = await this.insertRunningRow(studyId, workerId, plan, maxTrials, null, true);
    if (row) return toTrial(row);
    // No row: the study is missing, or (with a limit) it has maxTrials trials already.
    if (maxTrials === null) throw notFound(studyId);
    await this.checkStudy(studyId);
    return null;
  }

  /** The statement of insertRunning; with `number` set, it inserts only if that is the study's next number. Null when nothing was inserted. */
  private async insertRunningRow(
    studyId: number,
    rawWorkerId: string,
    rawPlan: TrialPlan,
    maxTrials: number | null,
    number: number | null,
    started: boolean,
  ): Promise<TrialRow | null> {
    const plan = cleanPlan(rawPlan);
    const workerId = cleanKey(rawWorkerId);
    const now = this.now();
    const key = planKey(plan);
    const insert = (dedupe: boolean) => this.query<TrialRow>(
      `WITH n AS (UPDATE ${this.t.studies} SET next_number = next_number + 1
                  WHERE id = $1 AND ($10::bigint IS NULL OR next_number < $10::bigint) AND ($11::bigint IS NULL OR next_number = $11::bigint)
                  RETURNING next_number - 1 AS number)
       INSERT INTO ${this.t.trials} (study_id, number, state, params, seed, budget, plan_key, dedupe_key, attrs, worker_id, attempts, created_at, started_at, heartbeat_at)
       SELECT $1, n.number, 'running', $2::json, $3, $4, $5,
              CASE WHEN $6 AND NOT EXISTS (SELECT 1 FROM ${this.t.trials} x WHERE x.study_id = $1 AND x.dedupe_key = $5) THEN $5 END,
              $7::jsonb, $8, $12::int, $9, CASE WHEN $12::int = 1 THEN $9::bigint END, $9
       FROM n RETURNING ${TRIAL_COLS}`,
      [
        studyId, JSON.stringify(plan.params), plan.seed, plan.budget, key, dedupe, JSON.stringify(plan.attrs ?? {}), workerId, now, maxTrials, number,
        started ? 1 : 0,
      ]);
    let r: pg.QueryResult<TrialRow>;
    try {
      r = await insert(true);
    } catch (e) {
      if (!(e instanceof StorageError && pgCode(e.cause) === '23505')) throw e;
      r = await insert(false);
    }
    return r.rows[0] ?? null;
  }

  async claimTrial(studyId: number, workerId: string, options: { readonly started?: boolean } = {}): Promise<TrialRecord | null> {
    checkId(studyId, 'studyId');
    const now = this.now();
    const started = options.started !== false ? 1 : 0;
    // One round trip: the claim, and (when nothing waits) whether the study exists at all.
    const r = await this.query<TrialRow & { study_exists: boolean }>(
      `WITH c AS (UPDATE ${this.t.trials} SET state = 'running', worker_id = $2, attempts = attempts + $4::int, started_at = CASE WHEN $4::int = 1 THEN $3::bigint END, heartbeat_at = $3
         WHERE id = (SELECT id FROM ${this.t.trials} WHERE study_id = $1 AND state = 'waiting' ORDER BY number LIMIT 1 FOR UPDATE SKIP LOCKED)
         RETURNING ${TRIAL_COLS})
       SELECT c.*, EXISTS (SELECT 1 FROM ${this.t.studies} WHERE id = $1) AS study_exists FROM (SELECT 1) one LEFT JOIN c ON true`, [studyId, cleanKey(workerId), now, started]);
    const row = r.rows[0];
    if (!row || row.id === null) {
      if (!row?.study_exists) throw notFound(studyId);
      return null;
    }
    // A waiting trial has no steps: requeueing clears them and only running trials accept reports.
    return toTrial(row);
  }

  async startTrial(trialId: number, workerId: string): Promise<boolean> {
    const r = await this.query(
      `UPDATE ${this.t.trials} SET attempts = attempts + 1, started_at = $3, heartbeat_at = $3
       WHERE id = $1 AND state = 'running' AND worker_id = $2 AND started_at IS NULL`, [trialId, cleanKey(workerId), this.now()]);
    return (r.rowCount ?? 0) > 0;
  }

  async reportStep(trialId: number, workerId: string, step: number, metrics: Metrics): Promise<boolean> {
    checkStep(step);
    const r = await this.queryOn(this.reportPool,
      `WITH t AS (UPDATE ${this.t.trials} SET heartbeat_at = $5 WHERE id = $1 AND state = 'running' AND worker_id = $2 RETURNING id, study_id)
       INSERT INTO ${this.t.steps} (trial_id, study_id, step, metrics, at) SELECT id, study_id, $3, $4::json, $5 FROM t
       ON CONFLICT (trial_id, step) DO UPDATE SET metrics = excluded.metrics, at = excluded.at`,
      [trialId, cleanKey(workerId), step, JSON.stringify(cleanMetrics(metrics)), this.now()]);
    return (r.rowCount ?? 0) > 0;
  }

  async setTrialAttrs(trialId: number, workerId: string, attrs: Readonly<Record<string, unknown>>): Promise<boolean> {
    const r = await this.queryOn(this.reportPool, `UPDATE ${this.t.trials} SET attrs = attrs || $3::jsonb WHERE id = $1 AND state = 'running' AND worker_id = $2`,
      [trialId, cleanKey(workerId), JSON.stringify(cleanJson(attrs))]);
    return (r.rowCount ?? 0) > 0;
  }

  async heartbeat(trialId: number, workerId: string): Promise<boolean> {
    const r = await this.queryOn<{ n: Num }>(this.reportPool,
      `WITH t AS (UPDATE ${this.t.trials} SET heartbeat_at = $3 WHERE id = $1 AND state = 'running' AND worker_id = $2 RETURNING study_id),
            w AS (UPDATE ${this.t.workers} w SET heartbeat_at = $3 FROM t WHERE w.study_id = t.study_id AND w.id = $2 RETURNING 1)
       SELECT COUNT(*) AS n FROM t`, [trialId, cleanKey(workerId), this.now()]);
    return Number(r.rows[0]?.n ?? 0) > 0;
  }

  async finishTrial(trialId: number, workerId: string, outcome: Outcome): Promise<boolean> {
    const f = finishFields(outcome);
    const r = await this.query(
      `UPDATE ${this.t.trials} SET state = $3, value = $4, metrics = $5::json, error = $6, finished_at = $7, attrs = attrs || $8::jsonb, value_vec = $9::json
       WHERE id = $1 AND state = 'running' AND worker_id = $2`,
      [trialId, cleanKey(workerId), f.state, f.value, JSON.stringify(f.metrics), f.error, this.now(), JSON.stringify(f.attrs),
        f.values && JSON.stringify(f.values)]);
    return (r.rowCount ?? 0) > 0;
  }

  async requeueStale(studyId: number, options: { staleMs: number; maxAttempts: number; workerIds?: readonly string[] }): Promise<number> {
    checkId(studyId, 'studyId');
    const now = this.now();
    return this.tx(async (c) => {
      await this.checkStudy(studyId, c);
      const r = await c.query<{ id: Num; worker_id: string | null; attempts: number }>(
        `SELECT id, worker_id, attempts FROM ${this.t.trials}
         WHERE study_id = $1 AND state = 'running' AND ($2 OR COALESCE(heartbeat_at, 0) < $3 OR worker_id = ANY($4::text[]))
         FOR UPDATE`, [studyId, options.staleMs <= 0, now - options.staleMs, (options.workerIds ?? []).map(cleanKey)]);
      const requeue: number[] = [];
      for (const t of r.rows) {
        if (t.attempts >= options.maxAttempts) {
          await c.query(`UPDATE ${this.t.trials} SET state = 'failed', error = $2, finished_at = $3 WHERE id = $1`, [t.id, lostWorkerError(t.worker_id, t.attempts), now]);
        } else {
          requeue.push(Number(t.id));
        }
      }
      if (requeue.length > 0) {
        await c.query(`UPDATE ${this.t.trials} SET state = 'waiting', worker_id = NULL, started_at = NULL, heartbeat_at = NULL WHERE id = ANY($1::bigint[])`, [requeue]);
        await c.query(`DELETE FROM ${this.t.steps} WHERE trial_id = ANY($1::bigint[])`, [requeue]);
      }
      return r.rows.length;
    }, 'requeueStale');
  }

  async workerHeartbeat(raw: Omit<WorkerRecord, 'heartbeatAt'>): Promise<void> {
    const worker = cleanWorker(raw);
    checkId(worker.studyId, 'studyId');
    try {
      // Retried like every other statement: a worker's first beat during an outage must wait, not end the worker.
      await this.retrying(() => this.pool.query(
        `INSERT INTO ${this.t.workers} (study_id, id, host, pid, started_at, heartbeat_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (study_id, id) DO UPDATE SET host = excluded.host, pid = excluded.pid, started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at`,
        [worker.studyId, worker.id, worker.host, worker.pid, worker.startedAt, this.now()]));
    } catch (e) {
      if (pgCode(e) === '23503') throw notFound(worker.studyId);
      throw this.wrap(e, 'workerHeartbeat');
    }
  }

  async listWorkers(studyId: number): Promise<WorkerRecord[]> {
    checkId(studyId, 'studyId');
    const r = await this.query<{ id: string; study_id: Num; host: string; pid: number; started_at: Num; heartbeat_at: Num }>(
      `SELECT id, study_id, host, pid, started_at, heartbeat_at FROM ${this.t.workers} WHERE study_id = $1 ORDER BY started_at, id`, [studyId]);
    if (r.rows.length === 0) await this.checkStudy(studyId);
    return r.rows.map((w) =>
      deepFreeze({ id: w.id, studyId: Number(w.study_id), host: w.host, pid: w.pid, startedAt: Number(w.started_at), heartbeatAt: Number(w.heartbeat_at) }));
  }

  async getTrial(trialId: number): Promise<TrialRecord | null> {
    if (!Number.isSafeInteger(trialId)) return null;
    const r = await this.query<TrialRow>(`SELECT ${TRIAL_COLS}, ${this.stepsExpr('t')} AS steps FROM ${this.t.trials} t WHERE id = $1`, [trialId]);
    const row = r.rows[0];
    return row ? toTrial(row) : null;
  }

  async listTrials(studyId: number, query: TrialQuery = {}): Promise<TrialRecord[]> {
    checkId(studyId, 'studyId');
    if (query.states && query.states.length === 0) {
      await this.checkStudy(studyId);
      return [];
    }
    const filter = query.states ? 'AND state = ANY($2::text[])' : '';
    const r = await this.query<TrialRow>(`SELECT ${TRIAL_COLS}, ${this.stepsExpr('t')} AS steps FROM ${this.t.trials} t WHERE study_id = $1 ${filter} ORDER BY number`,
      query.states ? [studyId, [...query.states]] : [studyId]);
    if (r.rows.length === 0) await this.checkStudy(studyId);
    return r.rows.map((row) => toTrial(row));
  }

  /** Trials numbered ≥ fromNumber or with an id in `ids`: O(changes), not O(study). */
  async listTrialsFrom(studyId: number, fromNumber: number, ids: readonly number[]): Promise<TrialRecord[]> {
    checkId(studyId, 'studyId');
    const r = await this.query<TrialRow>(
      `SELECT ${TRIAL_COLS}, ${this.stepsExpr('t')} AS steps FROM ${this.t.trials} t
       WHERE study_id = $1 AND number >= $2
       UNION ALL
       SELECT ${TRIAL_COLS}, ${this.stepsExpr('t')} AS steps FROM ${this.t.trials} t
       WHERE id = ANY($3::bigint[]) AND study_id = $1 AND number < $2
       ORDER BY number`, [studyId, fromNumber, [...ids]]);
    if (r.rows.length === 0) await this.checkStudy(studyId);
    return r.rows.map((row) => toTrial(row));
  }

  /** A page by number plus the held ids before it; each step's wanted metrics picked out and aggregated by the server. */
  async listTrialDigests(studyId: number, query: TrialDigestQuery): Promise<TrialDigest[]> {
    checkId(studyId, 'studyId');
    checkDigestQuery(query);
    const picks = query.metrics.map((_, k) => `, s.metrics -> $${k + 5}`).join('');
    const r = await this.query<TrialRow & { digest: unknown[][] }>(
      `SELECT t.*, COALESCE((SELECT json_agg(json_build_array(s.step${picks}) ORDER BY s.step) FROM ${this.t.steps} s WHERE s.trial_id = t.id), '[]'::json) AS digest
       FROM ((SELECT ${TRIAL_COLS} FROM ${this.t.trials} WHERE study_id = $1 AND number >= $2 ORDER BY number LIMIT $3)
             UNION ALL
             (SELECT ${TRIAL_COLS} FROM ${this.t.trials} WHERE id = ANY($4::bigint[]) AND study_id = $1 AND number < $2)) t
       ORDER BY t.number`, [studyId, query.fromNumber, query.limit, [...new Set(query.ids ?? [])], ...query.metrics]);
    if (r.rows.length === 0) await this.checkStudy(studyId);
    return r.rows.map((row) => {
      const { steps: _none, ...rest } = toTrial({ ...row, steps: [] });
      return deepFreeze<TrialDigest>({
        ...rest,
        steps: row.digest.map((d) => Number(d[0])),
        curves: query.metrics.map((_, k) => row.digest.map((d) => digestValue(d[k + 1]))),
      });
    });
  }

  async listTrialsPage(studyId: number, fromNumber: number, limit: number): Promise<TrialRecord[]> {
    checkId(studyId, 'studyId');
    checkPage(fromNumber, limit);
    const r = await this.query<TrialRow>(
      `SELECT ${TRIAL_COLS}, ${this.stepsExpr('t')} AS steps FROM ${this.t.trials} t WHERE study_id = $1 AND number >= $2 ORDER BY number LIMIT $3`,
      [studyId, fromNumber, limit]);
    if (r.rows.length === 0) await this.checkStudy(studyId);
    return r.rows.map((row) => toTrial(row));
  }

  async countTrials(studyId: number): Promise<StateCounts> {
    checkId(studyId, 'studyId');
    const r = await this.query<{ state: string; n: Num }>(`SELECT state, COUNT(*) AS n FROM ${this.t.trials} WHERE study_id = $1 GROUP BY state`, [studyId]);
    if (r.rows.length === 0) await this.checkStudy(studyId);
    const c = emptyCounts();
    for (const row of r.rows) c[row.state as TrialState] = Number(row.n);
    return deepFreeze(c);
  }

  /**
   * Each state's best n read in order from the index hz_trials_best (study_id, state, value), the valueless ones
   * by number, in one statement; merged here. O(n log N) whatever the study's size; steps read for those trials only.
   */
  async bestTrials(studyId: number, query: BestTrialsQuery): Promise<TrialRecord[]> {
    checkId(studyId, 'studyId');
    const states = checkBestQuery(query);
    if (states.length === 0 || query.n === 0) {
      await this.checkStudy(studyId);
      return [];
    }
    const order = query.direction === 'maximize' ? 'DESC' : 'ASC';
    const parts = states.flatMap((_, i) => [
      `(SELECT ${TRIAL_COLS} FROM ${this.t.trials} WHERE study_id = $1 AND state = $${i + 3} AND value IS NOT NULL ORDER BY value ${order}, number LIMIT $2)`,
      `(SELECT ${TRIAL_COLS} FROM ${this.t.trials} WHERE study_id = $1 AND state = $${i + 3} AND value IS NULL ORDER BY number LIMIT $2)`]);
    const r = await this.query<TrialRow>(`SELECT t.*, ${this.stepsExpr('t')} AS steps FROM (${parts.join(' UNION ALL ')}) t`, [studyId, query.n, ...states]);
    if (r.rows.length === 0) await this.checkStudy(studyId);
    return mergeBest([r.rows.map((row) => toTrial(row))], query.n, query.direction);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
    if (this.reportPool !== this.pool) await this.reportPool.end();
  }

  private stepsExpr(alias: string): string {
    return `COALESCE((SELECT json_agg(json_build_object('step', s.step, 'metrics', s.metrics, 'at', s.at) ORDER BY s.step) FROM ${this.t.steps} s WHERE s.trial_id = ${alias}.id), '[]'::json)`;
  }

  private async checkStudy(studyId: number, client?: pg.PoolClient): Promise<void> {
    const r = await (client ?? this.pool).query(`SELECT 1 FROM ${this.t.studies} WHERE id = $1`, [studyId]);
    if (r.rowCount === 0) throw notFound(studyId);
  }

  private query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    return this.queryOn<R>(this.pool, sql, params);
  }

  private queryOn<R extends pg.QueryResultRow>(pool: pg.Pool, sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    return this.retrying(async () => {
      try {
        return await pool.query<R>(sql, params);
      } catch (e) {
        throw this.wrap(e, 'query');
      }
    });
  }

  /**
   * Runs `attempt` again while the server is unreachable (restart, failover), for up to `retryMs`.
   * Safe because each attempt is one statement or one transaction, and a server that went away rolled it back;
   * auth, missing-database and SQL errors are never retried.
   */
  private async retrying<T>(attempt: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.retryMs;
    let wait = 100;
    for (;;) {
      try {
        return await attempt();
      } catch (e) {
        if (this.closed || !isRetryable(e)) throw e;
        // The last wait is cut to the deadline, so the server gets the whole retry window.
        const left = deadline - Date.now();
        if (left <= 0) throw this.unavailable(e);
        await new Promise((r) => setTimeout(r, Math.min(wait, left)));
        wait = Math.min(2000, wait * 2);
      }
    }
  }

  private tx<T>(body: (c: pg.PoolClient) => Promise<T>, op = 'transaction'): Promise<T> {
    return this.retrying(() => this.txOnce(body, op));
  }

  private async txOnce<T>(body: (c: pg.PoolClient) => Promise<T>, op: string): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      throw this.wrap(e, op);
    }
    // A checked-out client has no pool listener: a connection cut between two statements (server restart,
    // pg_terminate_backend) would emit an unhandled 'error' and crash the worker. The next query fails instead.
    const ignore = (): void => undefined;
    client.on('error', ignore);
    let out: T;
    try {
      await client.query('BEGIN');
      out = await body(client);
      await client.query('COMMIT');
    } catch (e) {
      const broken = isRetryable(this.wrap(e, op));
      if (!broken) await client.query('ROLLBACK').catch(() => undefined);
      // A client whose connection died is destroyed, not returned to the pool.
      client.off('error', ignore);
      client.release(broken ? (e instanceof Error ? e : true) : undefined);
      throw this.wrap(e, op);
    }
    client.off('error', ignore);
    client.release();
    return out;
  }

  /**
   * A server lost after a successful connect, and not back within retryMs: STORAGE_UNAVAILABLE (exit code 3), so an
   * outage is told apart from a wrong URL (exit code 2). The worker's running trials stay recoverable: another worker
   * requeues them (at once on this host, whose dead pid it sees; elsewhere after HYPERZONE_STALE_MS).
   */
  private unavailable(e: unknown): StorageError {
    if (!this.connected) return e instanceof StorageError ? e : this.wrap(e, 'query');
    const detail = scrubSecret(describeError(e instanceof StorageError && e.cause !== undefined ? e.cause : e), this.secret);
    return new StorageError(`PostgreSQL at ${this.label} unreachable for over ${this.retryMs} ms (HYPERZONE_PG_RETRY_MS): ${detail}`, { cause: e, code: 'STORAGE_UNAVAILABLE' });
  }

  /** Maps a driver error to StorageError; connection problems get CONNECTION_ERROR; the password never appears. */
  private wrap(e: unknown, op: string): StorageError {
    if (e instanceof StorageError) return e;
    const code = pgCode(e);
    const detail = scrubSecret(describeError(e) || (code ?? 'unknown error'), this.secret);
    if (this.closed) return new StorageError(`PostgreSQL storage at ${this.label} is closed (${op}): ${detail}`, { cause: e, code: 'CONNECTION_ERROR' });
    if (code !== undefined && CONNECTION_CODES.has(code) || isConnectionMessage(detail)) {
      const hint = code === '3D000' ? ' (database does not exist)' : code === '28P01' || code === '28000' ? ' (check the user and password)' : '';
      return new StorageError(`Cannot connect to PostgreSQL at ${this.label}: ${detail}${hint}`, { cause: e, code: 'CONNECTION_ERROR' });
    }
    return new StorageError(`PostgreSQL ${op} failed at ${this.label}: ${detail}`, { cause: e });
  }
}

/** Whether a (wrapped) error means the server went away, so the statement can be sent again. */
function isRetryable(e: unknown): boolean {
  const cause = e instanceof StorageError ? e.cause : e;
  const code = pgCode(cause);
  if (code !== undefined) return RETRY_CODES.has(code);
  return /Connection terminated|terminating connection|the database system is (starting up|shutting down)|Client has encountered a connection error|timeout expired/i.test(describeError(cause));
}

function envMs(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InputError(`Expected environment variable \`${name}\` to be a number of milliseconds ≥ 0, got ${JSON.stringify(v)}`);
  return n;
}

function isConnectionMessage(m: string): boolean {
  return /SASL|password must be a string|timeout expired|Connection terminated|connect E|getaddrinfo/i.test(m);
}

function pgCode(e: unknown): string | undefined {
  if (typeof e === 'object' && e !== null && 'code' in e) {
    const c = (e as { code: unknown }).code;
    if (typeof c === 'string') return c;
  }
  // AggregateError (IPv4 and IPv6 both refused) keeps codes on its members.
  if (e instanceof AggregateError) for (const inner of e.errors) { const c = pgCode(inner); if (c) return c; }
  return undefined;
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function notFound(studyId: number): StorageError {
  return new StorageError(`Study with id ${studyId} not found`, { code: 'STUDY_NOT_FOUND' });
}

function toStudy(row: StudyRow): StudyRecord {
  return deepFreeze({
    id: Number(row.id), name: row.name, direction: row.direction as StudyRecord['direction'], metric: row.metric,
    objectives: readObjectives(row.metric, row.direction, row.objectives), spec: row.spec, createdAt: Number(row.created_at),
  });
}

function toTrial(r: TrialRow): TrialRecord {
  return deepFreeze<TrialRecord>({
    id: Number(r.id), studyId: Number(r.study_id), number: Number(r.number), state: r.state as TrialState,
    params: r.params, seed: Number(r.seed), budget: r.budget, value: r.value, values: readValues(r.value, r.value_vec), metrics: r.metrics,
    steps: (r.steps ?? []).map((s): StepReport => ({ step: s.step, metrics: s.metrics, at: Number(s.at) })),
    attrs: r.attrs, error: r.error, workerId: r.worker_id, attempts: r.attempts,
    createdAt: Number(r.created_at), startedAt: nullableNum(r.started_at), finishedAt: nullableNum(r.finished_at), heartbeatAt: nullableNum(r.heartbeat_at),
  });
}

function nullableNum(v: Num | null): number | null {
  return v === null ? null : Number(v);
}
