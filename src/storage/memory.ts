import type { Metrics, Outcome, StateCounts, StepReport, StudyRecord, TrialPlan, TrialRecord, TrialState } from '../core/types.js';
import { StorageError } from '../core/errors.js';
import { emptyCounts, planKey, type CreateTrialOptions, type CreateTrialResult, type NewStudy, type Storage, type StudySummary, type TrialQuery, type WorkerRecord, type BestTrialsQuery, type TrialDigest, type TrialDigestQuery } from './storage.js';
import { checkBestQuery, checkDigestQuery, readObjectives, readValues, storedObjectives, digestOf, mergeBest, checkId, checkMaxTrials, checkNumber, checkPage, checkStep, deepFreeze, finishFields, lostWorkerError } from './snapshot.js';
import { cleanJson, cleanKey, cleanMetrics, cleanPlan, cleanStudy, cleanWorker } from './sanitize.js';

interface MutableTrial {
  id: number;
  studyId: number;
  number: number;
  state: TrialState;
  params: TrialRecord['params'];
  seed: number;
  budget: number | null;
  value: number | null;
  values: readonly number[] | null;
  metrics: Metrics;
  steps: Map<number, StepReport>;
  attrs: Record<string, unknown>;
  error: string | null;
  workerId: string | null;
  attempts: number;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  heartbeatAt: number | null;
}

interface StudyState {
  record: StudyRecord;
  trials: MutableTrial[];
  keys: Set<string>;
  workers: Map<string, WorkerRecord>;
}

/** Options for MemoryStorage. */
export interface MemoryStorageOptions {
  /** The clock, in milliseconds since the epoch (tests inject one). */
  readonly now?: () => number;
}

/** In-process storage for tests and library use; every returned record is a deep-frozen copy. */
export class MemoryStorage implements Storage {
  private readonly now: () => number;
  private readonly studies = new Map<string, StudyState>();
  private readonly studiesById = new Map<number, StudyState>();
  private readonly trials = new Map<number, MutableTrial>();
  private nextStudyId = 1;
  private nextTrialId = 1;
  private closed = false;

  constructor(options: MemoryStorageOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  async createStudy(raw: NewStudy): Promise<StudyRecord> {
    this.open();
    const study = cleanStudy(raw);
    if (this.studies.has(study.name)) throw new StorageError(`Study \`${study.name}\` already exists`, { code: 'STUDY_EXISTS' });
    const record = deepFreeze<StudyRecord>({
      id: this.nextStudyId++, name: study.name, direction: study.direction, metric: study.metric,
      objectives: readObjectives(study.metric, study.direction, storedObjectives(study)),
      spec: structuredClone(study.spec), createdAt: this.now(),
    });
    const state: StudyState = { record, trials: [], keys: new Set(), workers: new Map() };
    this.studies.set(study.name, state);
    this.studiesById.set(record.id, state);
    return record;
  }

  async getStudy(name: string): Promise<StudyRecord | null> {
    this.open();
    return this.studies.get(cleanKey(name))?.record ?? null;
  }

  async listStudies(): Promise<StudySummary[]> {
    this.open();
    return [...this.studiesById.values()]
      .sort((a, b) => a.record.id - b.record.id)
      .map((s) => deepFreeze<StudySummary>({ ...s.record, counts: countOf(s) }));
  }

  async deleteStudy(name: string): Promise<boolean> {
    this.open();
    const s = this.studies.get(cleanKey(name));
    if (!s) return false;
    for (const t of s.trials) this.trials.delete(t.id);
    this.studies.delete(s.record.name);
    this.studiesById.delete(s.record.id);
    return true;
  }

  async retryTrials(studyId: number, numbers: readonly number[]): Promise<TrialRecord[]> {
    const s = this.study(studyId);
    // One synchronous step: nothing else runs between the checks and the inserts.
    const live = new Set(s.trials.filter((t) => t.state !== 'failed').map((t) => planKey(t)));
    const created: TrialRecord[] = [];
    for (const n of numbers) {
      const t = s.trials.find((x) => x.number === n);
      if (!t || t.state !== 'failed') continue;
      const key = planKey(t);
      if (live.has(key)) continue;
      live.add(key);
      const plan = { params: t.params, seed: t.seed, budget: t.budget, attrs: { ...t.attrs, retry_of: t.number } };
      created.push(snapshot(this.addTrial(s, plan, key, 'waiting', null)));
    }
    return created;
  }

  async enqueueTrials(studyId: number, plans: readonly TrialPlan[]): Promise<TrialRecord[]> {
    const s = this.study(studyId);
    const created: TrialRecord[] = [];
    for (const raw of plans) {
      const plan = cleanPlan(raw);
      const key = planKey(plan);
      if (s.keys.has(key)) continue;
      created.push(snapshot(this.addTrial(s, plan, key, 'waiting', null)));
    }
    return created;
  }

  async createRunningTrial(studyId: number, workerId: string, plan: TrialPlan): Promise<TrialRecord> {
    const s = this.study(studyId);
    const clean = cleanPlan(plan);
    return snapshot(this.addTrial(s, clean, planKey(clean), 'running', cleanKey(workerId)));
  }

  async createRunningTrialIfBelow(studyId: number, workerId: string, plan: TrialPlan, maxTrials: number): Promise<TrialRecord | null> {
    checkMaxTrials(maxTrials);
    const s = this.study(studyId);
    // One synchronous step between the check and the insert: nothing else runs in between.
    if (s.trials.length >= maxTrials) return null;
    const clean = cleanPlan(plan);
    return snapshot(this.addTrial(s, clean, planKey(clean), 'running', cleanKey(workerId)));
  }

  async createRunningTrialAt(studyId: number, workerId: string, number: number, plan: TrialPlan, options: CreateTrialOptions = {}): Promise<CreateTrialResult> {
    checkNumber(number);
    if (options.maxTrials !== undefined) checkMaxTrials(options.maxTrials);
    const s = this.study(studyId);
    // One synchronous step from the count to the insert: nothing else runs in between.
    if (options.maxTrials !== undefined && s.trials.length >= options.maxTrials) return { trial: null, reason: 'limit' };
    if (s.trials.length !== number) return { trial: null, reason: 'taken' };
    const clean = cleanPlan(plan);
    const t = this.addTrial(s, clean, planKey(clean), 'running', cleanKey(workerId));
    if (options.started === false) {
      t.attempts = 0;
      t.startedAt = null;
    }
    return { trial: snapshot(t) };
  }

  async claimTrial(studyId: number, workerId: string, options: { readonly started?: boolean } = {}): Promise<TrialRecord | null> {
    const s = this.study(studyId);
    const t = s.trials.find((x) => x.state === 'waiting');
    if (!t) return null;
    const now = this.now();
    const started = options.started !== false;
    t.state = 'running';
    t.workerId = cleanKey(workerId);
    if (started) t.attempts += 1;
    t.startedAt = started ? now : null;
    t.heartbeatAt = now;
    return snapshot(t);
  }

  async startTrial(trialId: number, workerId: string): Promise<boolean> {
    const t = this.owned(trialId, workerId);
    if (!t || t.startedAt !== null) return false;
    const now = this.now();
    t.attempts += 1;
    t.startedAt = now;
    t.heartbeatAt = now;
    return true;
  }

  async reportStep(trialId: number, workerId: string, step: number, metrics: Metrics): Promise<boolean> {
    checkStep(step);
    const t = this.owned(trialId, workerId);
    if (!t) return false;
    const now = this.now();
    t.steps.set(step, { step, metrics: { ...cleanMetrics(metrics) }, at: now });
    t.heartbeatAt = now;
    return true;
  }

  async setTrialAttrs(trialId: number, workerId: string, attrs: Readonly<Record<string, unknown>>): Promise<boolean> {
    const t = this.owned(trialId, workerId);
    if (!t) return false;
    t.attrs = { ...t.attrs, ...structuredClone(cleanJson(attrs)) };
    return true;
  }

  async heartbeat(trialId: number, workerId: string): Promise<boolean> {
    const t = this.owned(trialId, workerId);
    if (!t) return false;
    const now = this.now();
    t.heartbeatAt = now;
    const s = this.studiesById.get(t.studyId);
    const w = s?.workers.get(cleanKey(workerId));
    if (s && w) s.workers.set(w.id, { ...w, heartbeatAt: now });
    return true;
  }

  async finishTrial(trialId: number, workerId: string, outcome: Outcome): Promise<boolean> {
    const t = this.owned(trialId, workerId);
    if (!t) return false;
    const f = finishFields(outcome);
    t.state = f.state;
    t.value = f.value;
    t.values = f.values;
    t.metrics = { ...f.metrics };
    t.error = f.error;
    t.attrs = { ...t.attrs, ...f.attrs };
    t.finishedAt = this.now();
    return true;
  }

  async requeueStale(studyId: number, options: { staleMs: number; maxAttempts: number; workerIds?: readonly string[] }): Promise<number> {
    const s = this.study(studyId);
    const now = this.now();
    const lost = new Set((options.workerIds ?? []).map(cleanKey));
    let touched = 0;
    for (const t of s.trials) {
      if (t.state !== 'running') continue;
      const stale = options.staleMs <= 0 || (t.heartbeatAt ?? 0) < now - options.staleMs;
      if (!stale && !(t.workerId !== null && lost.has(t.workerId))) continue;
      touched++;
      if (t.attempts >= options.maxAttempts) {
        t.state = 'failed';
        t.error = lostWorkerError(t.workerId, t.attempts);
        t.finishedAt = now;
      } else {
        t.state = 'waiting';
        t.workerId = null;
        t.startedAt = null;
        t.heartbeatAt = null;
        t.steps.clear();
      }
    }
    return touched;
  }

  async workerHeartbeat(raw: Omit<WorkerRecord, 'heartbeatAt'>): Promise<void> {
    const s = this.study(raw.studyId);
    const worker = cleanWorker(raw);
    const record = { id: worker.id, studyId: worker.studyId, host: worker.host, pid: worker.pid, startedAt: worker.startedAt, heartbeatAt: this.now() };
    s.workers.set(worker.id, deepFreeze(record));
  }

  async listWorkers(studyId: number): Promise<WorkerRecord[]> {
    const s = this.study(studyId);
    return [...s.workers.values()].sort((a, b) => a.startedAt - b.startedAt || (a.id < b.id ? -1 : 1));
  }

  async getTrial(trialId: number): Promise<TrialRecord | null> {
    this.open();
    const t = this.trials.get(trialId);
    return t ? snapshot(t) : null;
  }

  async listTrials(studyId: number, query: TrialQuery = {}): Promise<TrialRecord[]> {
    const s = this.study(studyId);
    const states = query.states ? new Set(query.states) : null;
    return s.trials.filter((t) => !states || states.has(t.state)).map(snapshot);
  }

  /** Trials numbered ≥ fromNumber or with an id in `ids`. */
  async listTrialsFrom(studyId: number, fromNumber: number, ids: readonly number[]): Promise<TrialRecord[]> {
    const s = this.study(studyId);
    // s.trials[i] has number i: the new ones are a tail and the others are found by id, so the cost is
    // O(changes), not O(study) (schedulers read this at every report).
    const older = ids.map((id) => this.trials.get(id)).filter((t): t is MutableTrial => t !== undefined && t.studyId === studyId && t.number < fromNumber);
    return [...older.sort((a, b) => a.number - b.number), ...s.trials.slice(Math.max(0, fromNumber))].map(snapshot);
  }

  /** A page of the tail by number (s.trials[i] has number i) plus the held ids before it, reduced to digests. */
  async listTrialDigests(studyId: number, query: TrialDigestQuery): Promise<TrialDigest[]> {
    const s = this.study(studyId);
    checkDigestQuery(query);
    const from = query.fromNumber;
    const older = (query.ids ?? []).map((id) => this.trials.get(id))
      .filter((t): t is MutableTrial => t !== undefined && t.studyId === studyId && t.number < from);
    return [...new Set(older)].sort((a, b) => a.number - b.number).concat(s.trials.slice(from, from + query.limit))
      .map((t) => digestOf(snapshot(t), query.metrics));
  }

  async listTrialsPage(studyId: number, fromNumber: number, limit: number): Promise<TrialRecord[]> {
    checkPage(fromNumber, limit);
    const s = this.study(studyId);
    // s.trials[i] has number i.
    return s.trials.slice(fromNumber, fromNumber + limit).map(snapshot);
  }

  async countTrials(studyId: number): Promise<StateCounts> {
    return deepFreeze(countOf(this.study(studyId)));
  }

  async bestTrials(studyId: number, query: BestTrialsQuery): Promise<TrialRecord[]> {
    const s = this.study(studyId);
    const states = new Set(checkBestQuery(query));
    return mergeBest([s.trials.filter((t) => states.has(t.state)).map(snapshot)], query.n, query.direction);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private open(): void {
    if (this.closed) throw new StorageError('Storage `memory:` is closed');
  }

  private study(studyId: number): StudyState {
    this.open();
    checkId(studyId, 'studyId');
    const s = this.studiesById.get(studyId);
    if (!s) throw new StorageError(`Study with id ${studyId} not found`, { code: 'STUDY_NOT_FOUND' });
    return s;
  }

  private owned(trialId: number, workerId: string): MutableTrial | null {
    this.open();
    const t = this.trials.get(trialId);
    return t && t.state === 'running' && t.workerId === cleanKey(workerId) ? t : null;
  }

  private addTrial(s: StudyState, plan: TrialPlan, key: string, state: 'waiting' | 'running', workerId: string | null): MutableTrial {
    const now = this.now();
    const running = state === 'running';
    const t: MutableTrial = {
      id: this.nextTrialId++, studyId: s.record.id, number: s.trials.length, state,
      params: { ...plan.params }, seed: plan.seed, budget: plan.budget, value: null, values: null, metrics: {},
      steps: new Map(), attrs: structuredClone({ ...(plan.attrs ?? {}) }), error: null, workerId,
      attempts: running ? 1 : 0, createdAt: now, startedAt: running ? now : null, finishedAt: null, heartbeatAt: running ? now : null,
    };
    s.trials.push(t);
    s.keys.add(key);
    this.trials.set(t.id, t);
    return t;
  }
}

function countOf(s: StudyState): Record<TrialState, number> {
  const c = emptyCounts();
  for (const t of s.trials) c[t.state]++;
  return c;
}

function snapshot(t: MutableTrial): TrialRecord {
  return deepFreeze<TrialRecord>({
    id: t.id, studyId: t.studyId, number: t.number, state: t.state, params: { ...t.params }, seed: t.seed, budget: t.budget,
    value: t.value, values: readValues(t.value, t.values && [...t.values]), metrics: { ...t.metrics },
    steps: [...t.steps.values()].sort((a, b) => a.step - b.step).map((r) => ({ step: r.step, metrics: { ...r.metrics }, at: r.at })),
    attrs: structuredClone(t.attrs), error: t.error, workerId: t.workerId, attempts: t.attempts, createdAt: t.createdAt,
    startedAt: t.startedAt, finishedAt: t.finishedAt, heartbeatAt: t.heartbeatAt,
  });
}
