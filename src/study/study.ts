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
import { objectiveRunner, type Objective } from './objective-runner.js';
import { optimizeDefineByRun } from './define-by-run.js';
import type { Direction, Outcome, Params, StudyRecord, TrialRecord } from '../core/types.js';
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
  /** Name of the objective value in reports; default "value". */
  readonly metric?: string;
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
    const record = existing ?? (await storage.createStudy({ name, direction: o.direction ?? 'minimize', metric: o.metric ?? 'value', spec }));
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
      const proposal = this.sampler.sample?.({ space: this.space, direction: this.record.direction, trials, rng: new Rng(deriveSeed(this.seed, 'sampler', number)) });
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

  /** Records the result of an asked trial: a value, or an Outcome. */
  async tell(trialId: number, result: number | Outcome): Promise<void> {
    const outcome: Outcome = typeof result === 'number' ? { state: 'complete', value: result } : result;
    if (outcome.state === 'complete' && !Number.isFinite(outcome.value)) throw new InputError(`Expected a finite value for trial ${trialId}, got ${outcome.value}`);
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
      runner: objectiveRunner(objective, this.record.metric),
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

  /** The complete trial with the best value, or null. */
  async bestTrial(): Promise<TrialRecord | null> {
    const done = await this.storage.listTrials(this.record.id, { states: ['complete'] });
    return bestOf(done, this.record.direction);
  }
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
