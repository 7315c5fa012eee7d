import { HyperzoneError } from '../core/errors.js';
import { entryFromTrial, type ResultEntry } from '../results/index.js';
import type { Runner } from '../runners/runner.js';
import type { Space } from '../space/space.js';
import { planKey, type Storage } from '../storage/storage.js';
import { runWorker, type EngineEvents } from './engine.js';
import type { Params, StudyRecord, TrialPlan } from '../core/types.js';

/** Where and how planned trials run. */
export interface PlanEvaluatorOptions {
  readonly storage: Storage;
  readonly study: StudyRecord;
  readonly space: Space;
  readonly fixed: Params;
  readonly workerId: string;
  readonly parallel: number;
  readonly maxAttempts: number;
  readonly seed: number;
  readonly signal: AbortSignal;
  readonly events?: EngineEvents;
  /** Called before each batch with the study's trial count, for progress totals. */
  readonly onEnqueued?: (total: number, done: number) => void;
}

/** Thrown when the study is interrupted while a plan runs (the CLI exits 130; nothing is lost). */
export class Interrupted extends HyperzoneError {
  constructor() {
    super('RUNNER_ERROR', 'interrupted');
  }
}

/**
 * Runs planned trials through the study's storage (enqueued, deduplicated, resumable) and returns
 * the result entries of every planned trial that completed, tagged with `stage`.
 * Trials planned earlier and already complete are not rerun.
 */
export async function evaluatePlan(o: PlanEvaluatorOptions, runner: Runner, plan: readonly TrialPlan[], stage?: string): Promise<ResultEntry[]> {
  await o.storage.enqueueTrials(o.study.id, plan);
  const c = await o.storage.countTrials(o.study.id);
  o.onEnqueued?.(c.waiting + c.running + c.complete + c.pruned + c.failed, c.complete + c.pruned + c.failed);
  const summary = await runWorker({
    storage: o.storage, study: o.study, space: o.space, runner,
    sampler: { name: stage ?? 'plan' },
    fixed: o.fixed, workerId: o.workerId, parallel: o.parallel, seed: o.seed, budget: null,
    maxAttempts: o.maxAttempts, signal: o.signal,
    ...(o.events ? { events: o.events } : {}),
  });
  if (summary.interrupted) throw new Interrupted();
  const keys = new Set(plan.map(planKey));
  const done = await o.storage.listTrials(o.study.id, { states: ['complete'] });
  const out: ResultEntry[] = [];
  for (const t of done) {
    if (!keys.has(planKey(t))) continue;
    const e = entryFromTrial(t, stage);
    if (e) out.push(e);
  }
  return out;
}
