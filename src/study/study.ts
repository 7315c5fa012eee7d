import { codeStudySpec } from '../spec/stored.js';
import { InputError } from '../core/errors.js';
import { randomSampler } from '../samplers/random.js';
import type { Sampler } from '../samplers/sampler.js';
import type { Scheduler } from '../schedulers/scheduler.js';
import type { ParamSpec } from '../space/condition.js';
import { Space } from '../space/space.js';
import { openStorage } from '../storage/open.js';
import type { Storage } from '../storage/storage.js';
import { deriveSeed, Rng } from '../core/rng.js';
import { runWorker, type EngineEvents, type WorkerSummary } from './engine.js';
import { objectiveRunner, outcomeOfResult, type Objective } from './objective-runner.js';
import { optimizeDefineByRun } from './define-by-run.js';
import type { Direction, ObjectiveSpec, Outcome, Params, StudyRecord, TrialRecord } from '../core/types.js';
import { paretoTrials } from '../stats/pareto.js';
import { newWorkerId } from './worker-id.js';

/** Options of `Study.create`. */
export interface CreateStudyOptions {
  readonly name?: string;
  /** A Storage, or a URL (`memory:`, a .db path, `postgres://...`); default in-memory. */
  readonly storage?: Storage | string;
  /**
   * The search space; `when` on a parameter makes it conditional (see ParamSpec). Leave it out for a define-by-run
   * study, whose objective asks for its parameters with `trial.suggestInt/Float/Categorical`.
   */
  readonly space?: Space | Readonly<Record<string, ParamSpec>>;
  readonly direction?: Direction;
  /**
   * A multi-objective study (Optuna's `directions`): one direction per objective; the objective then returns an
   * array of as many values. Give `direction` or `directions`, not both.
   */
  readonly directions?: readonly Direction[];
  /** Name of the objective value in reports; default "value" (with `directions`: "value_0", "value_1", …). */
  readonly metric?: string;
  /** Names of the objectives of a multi-objective study, one per direction; default "value_0", "value_1", …. */
  readonly metrics?: readonly string[];
  readonly sampler?: Sampler;
  readonly seed?: number;
  /** Reopen the study when the name exists (resume); default true. */
  readonly loadIfExists?: boolean;
}

/** Options of `Study.optimize`. */
export interface OptimizeOptions {
  /**
   * Trials to run in this call, as Optuna's `n_trials`: waiting (enqueued) trials it picks up count, trials already in
   * the study or run by other processes do not. Without it, the call runs until the sampler has nothing more to propose.
   */
  readonly nTrials?: number;
  /** Stop proposing once the study has this many trials in all (any number of processes; never more). */
  readonly maxStudyTrials?: number;
  /**
   * Print each failed trial (console.warn: "Trial N failed with parameters: … because of the following error: …",
   * as Optuna logs it); default true. The failure is recorded in the study either way.
   */
  readonly logFailures?: boolean;
  readonly parallel?: number;
  readonly budget?: number | null;
  readonly signal?: AbortSignal;
  readonly events?: EngineEvents;
  readonly maxAttempts?: number;
  /** Early stopping / multi-fidelity (median, successive halving, ASHA, Hyperband) on reported values. */
  readonly scheduler?: Scheduler;
}

/** A trial handed out by `ask`. */
export interface AskedTrial {
  readonly id: number;
  readonly number: number;
  readonly params: Params;
  readonly seed: number;
}

/** The library API: a study with ask/tell and optimize, over any storage. */
export class Study {
  private readonly workerId = newWorkerId();
  private constructor(
    readonly record: StudyRecord,
    readonly space: Space,
    readonly storage: Storage,
    readonly sampler: Sampler,
    readonly seed: number,
    /** Created without a space: the objective defines the parameters as it runs (`trial.suggestInt`, ...). */
    readonly defineByRun = false,
  ) {}

  /** Creates (or reopens) a study. */
  static async create(o: CreateStudyOptions): Promise<Study> {
    const storage = typeof o.storage === 'string' ? await openStorage(o.storage) : o.storage ?? (await openStorage('memory:'));
    const space = o.space === undefined ? new Space(new Map(), { partial: true }) : o.space instanceof Space ? o.space : Space.fromSpec(o.space);
    const name = o.name ?? `study-${Date.now()}`;
    const existing = await storage.getStudy(name);
    if (existing && o.loadIfExists === false) throw new InputError(`Study \`${name}\` already exists`, { code: 'STUDY_EXISTS' });
    const spec = codeStudySpec(space, o.seed ?? 0);
    const objectives = objectivesOfOptions(o);
    const first = objectives[0] as ObjectiveSpec;
    const more = objectives.length > 1 ? { objectives } : {};
    const record = existing ?? (await storage.createStudy({ name, direction: first.direction, metric: first.metric, ...more, spec }));
    if (existing && existing.objectives.length !== objectives.length && (o.directions !== undefined || o.direction !== undefined)) {
      throw new InputError(`Study \`${name}\` exists with ${existing.objectives.length} objective(s), these options give ${objectives.length}`, { code: 'STUDY_EXISTS' });
    }
    return new Study(record, space, storage, o.sampler ?? randomSampler(), o.seed ?? 0, o.space === undefined);
  }

  get name(): string {
    return this.record.name;
  }

  /**
   * Proposes a configuration and records it as a running trial owned by this process. As the engine does
   * (nextTrial in engine.ts), the proposal is made for the number the trial will get, the next one after every
   * trial read, and storage creates it only if that number is still free (createRunningTrialAt, compare-and-set);
   * otherwise the trials are read again and the proposal made for the next number. So two asks on one storage
   * (two handles, or concurrent asks on one) never share a number's random stream or trial seed.
   */
  async ask(): Promise<AskedTrial> {
    if (this.defineByRun) throw new InputError(`Study \`${this.name}\` has no declared space: run it with optimize(), whose objective asks for its parameters with trial.suggestInt/Float/Categorical`);
    const claimed = await this.storage.claimTrial(this.record.id, this.workerId);
    if (claimed) return { id: claimed.id, number: claimed.number, params: claimed.params, seed: claimed.seed };
    for (let lost = 0; ; lost++) {
      const trials = await this.storage.listTrials(this.record.id);
      // Trial numbers are dense: the next one is the count of trials read.
      const number = trials.length;
      const proposal = this.sampler.sample?.({
        space: this.space, direction: this.record.direction, directions: this.record.objectives.map((x) => x.direction), trials, rng: new Rng(deriveSeed(this.seed, 'sampler', number)),
      });
      if (!proposal) throw new InputError(`Sampler \`${this.sampler.name}\` has nothing more to propose`);
      const r = await this.storage.createRunningTrialAt(this.record.id, this.workerId, number, {
        params: proposal.params,
        seed: deriveSeed(this.seed, 'trial', number),
        budget: null,
        ...(proposal.attrs ? { attrs: proposal.attrs } : {}),
      });
      if (r.trial) return { id: r.trial.id, number: r.trial.number, params: r.trial.params, seed: r.trial.seed };
      // Another ask took this number: a short, growing, random pause (timing only, never a result), then read again.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 ** lost)));
    }
  }

  /** Records the result of an asked trial: a value (one per objective in a multi-objective study), or an Outcome. */
  async tell(trialId: number, result: number | readonly number[] | Outcome): Promise<void> {
    const n = this.record.objectives.length;
    const outcome: Outcome = typeof result === 'number' || Array.isArray(result) ? outcomeOfResult(result as number | readonly number[], n) : result as Outcome;
    if (outcome.state === 'failed' && (typeof result === 'number' || Array.isArray(result))) throw new InputError(`Expected ${n} finite value${n === 1 ? '' : 's'} for trial ${trialId}: ${outcome.error}`);
    if (outcome.state === 'complete' && !Number.isFinite(outcome.value)) throw new InputError(`Expected a finite value for trial ${trialId}, got ${outcome.value}`);
    if (outcome.state === 'complete' && n > 1 && outcome.values?.length !== n) throw new InputError(`Expected ${n} values for trial ${trialId} (one per objective), got ${outcome.values?.length ?? 1}`);
    const ok = await this.storage.finishTrial(trialId, this.workerId, outcome);
    if (!ok) throw new InputError(`Trial ${trialId} is not running under this study handle (finished already, or asked elsewhere)`, { code: 'TRIAL_NOT_FOUND' });
  }

  /** Runs `nTrials` trials of the objective in this call (or until the sampler has nothing more to propose). */
  async optimize(objective: Objective, o: OptimizeOptions = {}): Promise<WorkerSummary> {
    if (o.nTrials !== undefined && !(Number.isInteger(o.nTrials) && o.nTrials >= 0)) {
      throw new InputError(`Expected \`nTrials\` to be an integer ≥ 0, got ${String(o.nTrials)}`);
    }
    const events = o.logFailures === false ? o.events : withFailureLog(o.events);
    if (this.defineByRun) {
      if (o.nTrials === undefined && o.maxStudyTrials === undefined) throw new InputError('Expected `nTrials` (or `maxStudyTrials`) for a define-by-run study: its sampler never runs out of proposals');
      if (o.scheduler || (o.parallel ?? 1) > 1) throw new InputError('A define-by-run study runs its trials one after the other, without a scheduler: leave out `scheduler` and `parallel`');
      return optimizeDefineByRun({
        storage: this.storage, study: this.record, sampler: this.sampler, workerId: this.workerId, seed: this.seed, objective,
        nTrials: o.nTrials ?? Number.MAX_SAFE_INTEGER,
        ...(o.maxStudyTrials !== undefined ? { maxStudyTrials: o.maxStudyTrials } : {}),
        ...(o.signal ? { signal: o.signal } : {}),
        ...(events ? { events } : {}),
      });
    }
    return runWorker({
      storage: this.storage,
      study: this.record,
      space: this.space,
      sampler: this.sampler,
      runner: objectiveRunner(objective, this.record.metric, undefined, this.record.objectives.length),
      workerId: this.workerId,
      parallel: o.parallel ?? 1,
      seed: this.seed,
      budget: o.budget ?? null,
      ...(o.nTrials !== undefined ? { maxRuns: o.nTrials } : {}),
      ...(o.maxStudyTrials !== undefined ? { maxTrials: o.maxStudyTrials } : {}),
      maxAttempts: o.maxAttempts ?? 3,
      ...(o.signal ? { signal: o.signal } : {}),
      ...(events ? { events } : {}),
      ...(o.scheduler ? { scheduler: o.scheduler } : {}),
    });
  }

  /** All trials, in number order. */
  trials(): Promise<TrialRecord[]> {
    return this.storage.listTrials(this.record.id);
  }

  /** The complete trials no other complete trial dominates (the Pareto front), in number order; Optuna's `best_trials`. */
  async bestTrials(): Promise<TrialRecord[]> {
    const done = await this.storage.listTrials(this.record.id, { states: ['complete'] });
    return paretoTrials(done, this.record.objectives.map((x) => x.direction));
  }

  /** The complete trial with the best value, or null. In a multi-objective study: refused (use bestTrials). */
  async bestTrial(): Promise<TrialRecord | null> {
    if (this.record.objectives.length > 1) throw new InputError(`Study \`${this.name}\` has ${this.record.objectives.length} objectives: no single best trial; read the Pareto front with bestTrials()`);
    const done = await this.storage.listTrials(this.record.id, { states: ['complete'] });
    return bestOf(done, this.record.direction);
  }
}

/** The objectives CreateStudyOptions describe (`direction` or `directions`, with `metric` or `metrics`). */
function objectivesOfOptions(o: CreateStudyOptions): ObjectiveSpec[] {
  if (o.direction !== undefined && o.directions !== undefined) throw new InputError('Expected one of `direction` and `directions`, got both');
  if (o.directions === undefined) {
    if (o.metrics !== undefined) throw new InputError('Expected `metrics` only with `directions` (a multi-objective study); give `metric` for one objective');
    return [{ metric: o.metric ?? 'value', direction: o.direction ?? 'minimize' }];
  }
  const dirs = o.directions;
  if (dirs.length === 0) throw new InputError('Expected `directions` to name at least one direction, got []');
  for (const [i, d] of dirs.entries()) if (d !== 'maximize' && d !== 'minimize') throw new InputError(`Expected \`directions[${i}]\` to be maximize or minimize, got ${JSON.stringify(d)}`);
  if (o.metric !== undefined) throw new InputError('Expected `metrics` (one per direction) with `directions`, got `metric`');
  const metrics = o.metrics ?? (dirs.length === 1 ? ['value'] : dirs.map((_, i) => `value_${i}`));
  if (metrics.length !== dirs.length) throw new InputError(`Expected \`metrics\` to name ${dirs.length} objectives (one per direction), got ${metrics.length}`);
  if (new Set(metrics).size !== metrics.length) throw new InputError(`Expected \`metrics\` to be distinct, got ${JSON.stringify(metrics)}`);
  return dirs.map((direction, i) => ({ metric: metrics[i] as string, direction }));
}

/** The caller's events plus a warning for each failed trial: an objective's exception must not pass unseen. */
function withFailureLog(events: EngineEvents | undefined): EngineEvents {
  return {
    ...events,
    onTrialEnd(t) {
      if (t.state === 'failed') console.warn(`Trial ${t.number} failed with parameters: ${JSON.stringify(t.params)} because of the following error: ${t.error ?? 'unknown'}`);
      events?.onTrialEnd?.(t);
    },
  };
}

/** The trial with the best value in the given direction (ties: the earlier one). */
export function bestOf(trials: readonly TrialRecord[], direction: Direction): TrialRecord | null {
  let best: TrialRecord | null = null;
  for (const t of trials) {
    if (t.value === null) continue;
    if (!best || (direction === 'maximize' ? t.value > (best.value as number) : t.value < (best.value as number))) best = t;
  }
  return best;
}
