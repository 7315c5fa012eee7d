import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import { describeError, InputError, TrialPruned } from '../core/errors.js';
import type { Runner } from '../runners/runner.js';
import type { Sampler } from '../samplers/sampler.js';
import { SCHEDULER_STOP_ATTR, type Scheduler, type SchedulerStop } from '../schedulers/scheduler.js';
import { storageTrialSource } from '../schedulers/trial-source.js';
import type { Space } from '../space/space.js';
import type { Storage } from '../storage/storage.js';
import { TrialView } from '../storage/trial-view.js';
import { deriveSeed, Rng } from '../core/rng.js';
import type { Metrics, ObjectiveSpec, Outcome, Params, StudyRecord, TrialRecord } from '../core/types.js';
import { isDeadLocalWorker } from './worker-id.js';

/** What a running study tells its observers (progress bars, logs). */
export interface EngineEvents {
  onTrialStart?(trial: TrialRecord): void;
  onStep?(trial: TrialRecord, step: number, metrics: Metrics): void;
  onProgress?(trial: TrialRecord, info: { step: number; steps: number; batch: number; batches: number }): void;
  onTrialEnd?(trial: TrialRecord): void;
}

/** Everything one worker needs to run trials of a study. */
export interface WorkerOptions {
  readonly storage: Storage;
  readonly study: StudyRecord;
  readonly space: Space;
  readonly sampler: Sampler;
  readonly runner: Runner;
  /** Early stopping / multi-fidelity decisions after each step; none by default. */
  readonly scheduler?: Scheduler;
  /** Constant params merged under every trial's params before the runner sees them. */
  readonly fixed?: Params;
  readonly workerId: string;
  readonly parallel: number;
  /** Base seed: trial seeds and sampler generators derive from it. */
  readonly seed: number;
  /** Budget given to trials the sampler proposes one by one. */
  readonly budget: number | null;
  /** For samplers without a plan: stop proposing once the study has this many trials (never more, with any number of workers). */
  readonly maxTrials?: number;
  /** Start at most this many trials in this call (waiting ones claimed included): Optuna's `n_trials` of one optimize call. */
  readonly maxRuns?: number;
  readonly maxAttempts: number;
  /** How often running trials and the worker beat (default 5 s, or env HYPERZONE_HEARTBEAT_MS). */
  readonly heartbeatMs?: number;
  /**
   * Running trials whose heartbeat is older than this are presumed lost and requeued
   * (default max(60 s, 6 heartbeats), or env HYPERZONE_STALE_MS).
   */
  readonly staleMs?: number;
  /** Aborting it interrupts the worker: running trials go back to waiting, nothing recorded is lost. */
  readonly signal?: AbortSignal;
  readonly events?: EngineEvents;
  /** Keep polling for waiting trials while other workers still run some (distributed workers). */
  readonly waitForOthers?: boolean;
}

/** What one worker did. */
export interface WorkerSummary {
  readonly complete: number;
  readonly pruned: number;
  readonly failed: number;
  readonly interrupted: boolean;
}

const NO_MORE = Symbol('no more');

/**
 * Runs trials until none waits and the sampler has nothing more to propose (or the signal aborts).
 * Up to `parallel` trials run at once. Planned trials (grid, stages) are enqueued first and deduplicated
 * by storage, so any number of workers can call this on the same study.
 */
export async function runWorker(o: WorkerOptions): Promise<WorkerSummary> {
  const { storage, study } = o;
  const signal = o.signal ?? new AbortController().signal;
  // Each running trial listens on the study's signal (and removes its listener when done).
  setMaxListeners(o.parallel + 10, signal);
  const { heartbeatMs, staleMs } = workerTiming(o);
  const counts = { complete: 0, pruned: 0, failed: 0 };
  const recover = (): Promise<number> => recoverLostTrials(storage, study.id, staleMs, o.maxAttempts);

  await recover();
  if (o.sampler.plan) {
    const trials = await storage.listTrials(study.id);
    await storage.enqueueTrials(study.id, o.sampler.plan(samplerContext(o, trials)));
  }
  const beat = async (): Promise<void> => {
    await storage.workerHeartbeat({ id: o.workerId, studyId: study.id, host: hostname(), pid: process.pid, startedAt });
  };
  const startedAt = Date.now();
  await beat();
  // Each beat also looks for lost trials, so they come back even while every worker is busy.
  let beating = false;
  const workerTimer = setInterval(() => {
    if (beating) return;
    beating = true;
    void beat().then(recover).catch(() => undefined).finally(() => { beating = false; });
  }, heartbeatMs);

  const active = new Set<Promise<void>>();
  let runs = 0;
  const view = new TrialView(storage, study.id);
  try {
    for (;;) {
      while (active.size < o.parallel && !signal.aborted && runs < (o.maxRuns ?? Infinity)) {
        const trial = await nextTrial(o, view);
        if (trial === NO_MORE) break;
        runs++;
        const p: Promise<void> = runOne(o, trial, signal).then((state) => {
          if (state) counts[state]++;
        }).finally(() => active.delete(p));
        active.add(p);
      }
      if (active.size === 0) {
        if (signal.aborted || !o.waitForOthers || runs >= (o.maxRuns ?? Infinity)) break;
        const c = await storage.countTrials(study.id);
        if (c.running === 0 && c.waiting === 0) break;
        await sleep(Math.min(1000, heartbeatMs), signal);
        await recover();
        continue;
      }
      await Promise.race(active);
    }
    await Promise.allSettled(active);
  } finally {
    clearInterval(workerTimer);
    if (signal.aborted) {
      // Interrupted trials restart on resume; their claims do not count against max attempts.
      await storage.requeueStale(study.id, { staleMs: 0, maxAttempts: Number.MAX_SAFE_INTEGER, workerIds: [o.workerId] });
    }
  }
  return { ...counts, interrupted: signal.aborted };
}

/** Heartbeat interval and stale timeout of a worker: options, else env HYPERZONE_HEARTBEAT_MS / HYPERZONE_STALE_MS, else 5 s / max(60 s, 6 beats). */
export function workerTiming(o: { heartbeatMs?: number; staleMs?: number }, env: NodeJS.ProcessEnv = process.env): { heartbeatMs: number; staleMs: number } {
  const heartbeatMs = o.heartbeatMs ?? envMs(env, 'HYPERZONE_HEARTBEAT_MS', 1) ?? 5000;
  const staleMs = o.staleMs ?? envMs(env, 'HYPERZONE_STALE_MS', 0) ?? Math.max(60_000, heartbeatMs * 6);
  return { heartbeatMs, staleMs };
}

function envMs(env: NodeJS.ProcessEnv, name: string, min: number): number | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) throw new InputError(`Expected environment variable \`${name}\` to be a number of milliseconds ≥ ${min}, got ${JSON.stringify(v)}`);
  return n;
}

/**
 * Requeues trials of workers that are gone: dead local processes at once, others after `staleMs` without heartbeat.
 * Reads only the workers table (small), never the trials, so its cost does not grow with the study.
 */
export async function recoverLostTrials(storage: Storage, studyId: number, staleMs: number, maxAttempts: number): Promise<number> {
  const workers = await storage.listWorkers(studyId);
  const dead = workers.map((w) => w.id).filter((id) => isDeadLocalWorker(id));
  return storage.requeueStale(studyId, { staleMs, maxAttempts, workerIds: dead });
}

/** What the sampler sees when proposing trial `number`: its random stream derives from the number. */
function samplerContext(o: WorkerOptions, trials: readonly TrialRecord[], number = trials.length) {
  return { space: o.space, direction: o.study.direction, directions: o.study.objectives.map((x) => x.direction), trials, rng: new Rng(deriveSeed(o.seed, 'sampler', number)) };
}

/**
 * A complete outcome of a multi-objective study with every objective's value: the runner's own `values`, else the
 * first objective's `value` and each further objective's metric from the outcome's metrics (`parameters`), else from
 * the metrics of its best step (`best_epoch` or `best_step`). An objective with no finite value fails the trial.
 */
export function withObjectiveValues(objectives: readonly ObjectiveSpec[], outcome: Outcome, steps: ReadonlyMap<number, Metrics>): Outcome {
  if (objectives.length < 2 || outcome.state !== 'complete') return outcome;
  const m = outcome.metrics ?? {};
  if (outcome.values !== undefined) {
    if (outcome.values.length !== objectives.length) return { state: 'failed', error: `Expected ${objectives.length} objective values (${objectives.map((x) => x.metric).join(', ')}), got ${outcome.values.length}`, metrics: m };
    return outcome;
  }
  const best = m['best_epoch'] ?? m['best_step'];
  const atBest = best === undefined ? undefined : steps.get(best);
  const values = [outcome.value];
  for (const { metric } of objectives.slice(1)) {
    const v = m[metric] ?? atBest?.[metric];
    if (v === undefined || !Number.isFinite(v)) return { state: 'failed', error: `never reported the objective metric \`${metric}\`${v === undefined ? '' : ` as a finite number (got ${v})`}`, metrics: m };
    values.push(v);
  }
  return { ...outcome, values };
}

/**
 * A waiting trial, else a new proposal. A proposal is made for the trial number it will get: the next one after
 * every trial the worker has read (numbers are dense), and storage creates it only if that number is still free
 * (compare-and-set). Another worker that got there first makes this worker read the new trials and propose again,
 * so workers never share a number, hence never share a random stream or a trial seed, and every proposal has seen
 * all trials before it (running ones included) as in one process. One worker always wins: its study with a seed
 * repeats exactly.
 */
async function nextTrial(o: WorkerOptions, view: TrialView): Promise<TrialRecord | typeof NO_MORE> {
  // Not started yet: the attempt counts once the runner starts the trial (startTrial), see runOne.
  const claimed = await o.storage.claimTrial(o.study.id, o.workerId, { started: false });
  if (claimed) return claimed;
  const sample = o.sampler.sample?.bind(o.sampler);
  if (!sample) return NO_MORE;
  for (let lost = 0; ; lost++) {
    // Incremental: new and unfinished trials only, so an ask does not cost O(study size) in storage reads.
    const trials = await view.refresh();
    if (o.maxTrials !== undefined && trials.length >= o.maxTrials) return NO_MORE;
    const number = trials.length;
    const proposal = sample(samplerContext(o, trials, number));
    if (!proposal) return NO_MORE;
    const plan = {
      params: proposal.params,
      seed: deriveSeed(o.seed, 'trial', number),
      budget: o.budget,
      ...(proposal.attrs ? { attrs: proposal.attrs } : {}),
    };
    // The limit check above is a cheap early exit; storage's is atomic, so racing workers never overshoot it.
    const r = await o.storage.createRunningTrialAt(o.study.id, o.workerId, number, plan, {
      started: false,
      ...(o.maxTrials !== undefined ? { maxTrials: o.maxTrials } : {}),
    });
    if (r.trial) return r.trial;
    if (r.reason === 'limit') return NO_MORE;
    // Lost the race for this number: a short, growing, random pause spreads out workers that keep colliding.
    // (Timing only, never a result: Math.random is fine here.)
    await sleep(Math.random() * Math.min(50, 2 ** lost), o.signal ?? new AbortController().signal);
    if (o.signal?.aborted) return NO_MORE;
  }
}

async function runOne(o: WorkerOptions, trial: TrialRecord, studySignal: AbortSignal): Promise<Outcome['state'] | null> {
  const { storage, workerId } = o;
  const controller = new AbortController();
  const onStudyAbort = (): void => controller.abort(studySignal.reason);
  studySignal.addEventListener('abort', onStudyAbort, { once: true });
  let lostClaim = false;
  // The step a scheduler stopped the trial at, with what it reported there; once set, later reports are dropped.
  let stop: { step: number; value: number; metrics: Metrics } | null = null;
  // Whether the runner reported steps after the stop (it did not see the abort in time, or ignores it).
  let reportedPastStop = false;
  // Reports take effect one after another, in the order the runner sent them, each after the previous decision.
  let reporting: Promise<unknown> = Promise.resolve();
  let lastReported = lastStep(trial);
  // The objective's value at the last stored step that had one: a pruned trial's value (Optuna's last intermediate value).
  let lastValue = lastValueOf(trial, o.study.metric);
  // Step metrics, for the further objectives of a multi-objective study (read at the best step).
  const stepMetrics = new Map<number, Metrics>(trial.steps.map((x) => [x.step, x.metrics]));
  const timer = setInterval(() => {
    storage.heartbeat(trial.id, workerId).then((ok) => {
      if (!ok && !lostClaim) {
        lostClaim = true;
        controller.abort(new Error('claim lost: the trial was requeued or finished elsewhere'));
      }
    }, () => undefined);
  }, workerTiming(o).heartbeatMs);
  o.events?.onTrialStart?.(trial);
  // The attempt counts from here: a worker killed between the claim and this point leaves the attempts as they were.
  let started = false;
  const markStarted = async (): Promise<void> => {
    if (started) return;
    started = true;
    if (!(await storage.startTrial(trial.id, workerId)) && !lostClaim) {
      lostClaim = true;
      controller.abort(new Error('claim lost: the trial was requeued or finished elsewhere'));
    }
  };
  const report = async (step: number, metrics: Metrics): Promise<void> => {
    if (stop !== null) {
      // The scheduler stopped the trial: what the runner did after the stop step is not part of it.
      reportedPastStop = true;
      return;
    }
    await storage.reportStep(trial.id, workerId, step, metrics);
    lastReported = step;
    if (o.study.objectives.length > 1) stepMetrics.set(step, metrics);
    o.events?.onStep?.(trial, step, metrics);
    const value = metrics[o.study.metric];
    if (value !== undefined && Number.isFinite(value)) lastValue = value;
    if (o.scheduler && value !== undefined && Number.isFinite(value)) {
      let snapshot: Promise<readonly TrialRecord[]> | undefined;
      let noted = false;
      const decision = await o.scheduler.onReport(trial, step, value, {
        direction: o.study.direction,
        metric: o.study.metric,
        trials: () => (snapshot ??= storage.listTrials(o.study.id)),
        // Incremental (new and running trials only): a report costs the same at any study size.
        source: storageTrialSource(storage, o.study.id),
        note: async (attrs) => {
          if (SCHEDULER_STOP_ATTR in attrs) noted = true;
          await storage.setTrialAttrs(trial.id, workerId, attrs);
        },
      });
      if (decision === 'stop') {
        stop = { step, value, metrics };
        // Every trial a scheduler stopped says by which and where (the built-in ones also say why).
        const said: SchedulerStop = { scheduler: o.scheduler.name, step };
        try {
          if (!noted) await storage.setTrialAttrs(trial.id, workerId, { [SCHEDULER_STOP_ATTR]: said });
        } finally {
          controller.abort(new TrialPruned(`stopped by ${o.scheduler.name} at step ${step}`));
        }
      }
    }
  };
  let outcome: Outcome;
  try {
    if (!o.runner.marksStart) await markStarted();
    outcome = await o.runner.run(
      {
        trialId: trial.id, number: trial.number, params: { ...o.fixed, ...trial.params }, seed: trial.seed, budget: trial.budget,
        ...(trial.attrs.evaluate_test === true ? { evaluateTest: true } : {}),
      },
      {
        signal: controller.signal,
        report: (step, metrics) => {
          const done = reporting.then(() => report(step, metrics));
          reporting = done.catch(() => undefined);
          return done;
        },
        progress: (info) => o.events?.onProgress?.(trial, info),
        starting: markStarted,
      },
    );
    // A runner need not await its reports: they (and a stop's reason) are stored before the trial ends.
    await reporting;
  } catch (e) {
    await reporting;
    outcome = e instanceof TrialPruned
      ? { state: 'pruned', step: lastReported, ...(lastValue !== undefined ? { value: lastValue } : {}) }
      : { state: 'failed', error: describeError(e) };
  } finally {
    clearInterval(timer);
    studySignal.removeEventListener('abort', onStudyAbort);
  }
  if (studySignal.aborted || lostClaim) return null;
  if (stop !== null) outcome = afterStop(outcome, stop, reportedPastStop);
  outcome = withObjectiveValues(o.study.objectives, outcome, stepMetrics);
  const finished = await storage.finishTrial(trial.id, workerId, outcome);
  if (o.events?.onTrialEnd) {
    const final = await storage.getTrial(trial.id);
    if (final) o.events.onTrialEnd(final);
  }
  return finished ? outcome.state : null;
}

/**
 * The outcome of a trial a scheduler stopped at `stop.step`: a pruned trial at that step. A runner's own pruned
 * outcome with a value stands when it reported nothing after the stop (the value then comes from the stored steps,
 * in the runner's terms: the TF.js trainer's best epoch so far, say). Otherwise the trial keeps the value it reported
 * at the stop step (Optuna keeps a pruned trial's last intermediate value), with that step's metrics over the
 * runner's and no best step: a runner that went on past the stop (it saw the abort late, or ignores it) computed its
 * value, step and best step from steps that were not stored, and one that returned complete (it finished its step
 * before it saw the stop) gave the value of a whole run, which this trial is not.
 */
function afterStop(outcome: Outcome, stop: { step: number; value: number; metrics: Metrics }, reportedPastStop: boolean): Outcome {
  // A runner that fails once stopped (its own abort error, say, instead of TrialPruned) failed in work after the stop,
  // which is not part of the trial: the trial is the pruned one the scheduler made.
  if (outcome.state === 'failed') return { state: 'pruned', step: stop.step, value: stop.value, metrics: { ...stop.metrics } };
  if (outcome.state === 'pruned' && outcome.value !== undefined && !reportedPastStop) return outcome;
  const { best_step: _s, best_epoch: _e, ...rest } = outcome.metrics ?? {};
  return { state: 'pruned', step: stop.step, value: stop.value, metrics: { ...rest, ...stop.metrics } };
}

function lastValueOf(t: TrialRecord, metric: string): number | undefined {
  for (let i = t.steps.length - 1; i >= 0; i--) {
    const v = (t.steps[i] as { metrics: Metrics }).metrics[metric];
    if (v !== undefined && Number.isFinite(v)) return v;
  }
  return undefined;
}

function lastStep(t: TrialRecord): number {
  return t.steps.length ? (t.steps[t.steps.length - 1] as { step: number }).step : 0;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    // The listener goes when the time is up: a worker polling for hours must not pile them up on the study signal.
    const onAbort = (): void => { clearTimeout(t); resolve(); };
    const t = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve(); }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
