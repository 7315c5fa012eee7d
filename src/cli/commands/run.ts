import { availableParallelism } from 'node:os';
import { pathUnder } from '../../core/paths.js';
import { Interrupted } from '../../study/plan-evaluator.js';
import { runZonesStudy } from '../../study/zones-study.js';
import { renderZonesReport } from '../../reports/zones-report.js';
import { runWorker, type WorkerSummary } from '../../study/engine.js';
import { buildRunner } from '../../study/build-runner.js';
import { checkResume, openStudyForPlan } from '../../study/open-study.js';
import { createSampler, createScheduler, loadPlan, planOfStudy, type StudyPlan } from '../../spec/index.js';
import type { Runner } from '../../runners/runner.js';
import type { StudyRecord } from '../../core/types.js';
import { newWorkerId } from '../../study/worker-id.js';
import { unresolvedFailures } from '../../study/failures.js';
import type { Storage } from '../../storage/storage.js';
import type { Scheduler } from '../../schedulers/scheduler.js';
import { paretoSummary, renderPareto } from '../../reports/pareto.js';
import { renderResults, resultRows } from '../../reports/results.js';
import { recommendedLine } from '../../reports/recommended.js';
import { bestOf } from '../../study/study.js';
import { formatDuration } from '../../reports/text-table.js';
import { createProgress } from '../progress.js';
import { positiveInt, resolveStudy, storageUrl, withStorage } from '../context.js';
import { openStorage, redactUrl } from '../../storage/open.js';
import { deriveSeed, Rng } from '../../core/rng.js';
import { InputError, StorageError } from '../../core/errors.js';

/** Flags shared by `run` and `worker`. */
export interface RunFlags {
  storage?: string;
  study?: string;
  parallel?: string;
  perGpu?: string;
  quiet?: boolean;
  logDir?: string;
  /** Where the built-in trainer saves networks (`trainer.save_models`). */
  modelDir?: string;
  outDir?: string;
  /** Resume a study whose stored `sampler.type` differs from the spec's. */
  allowSamplerChange?: boolean;
}

const out = (s: string): void => void process.stdout.write(s + '\n');
const err = (s: string): void => void process.stderr.write(s + '\n');

/** Compiles the spec file of `run` and `create`, with `--study` as the name when given. */
function planOf(specPath: string, flags: RunFlags): StudyPlan {
  return loadPlan(specPath, flags.study !== undefined ? { name: flags.study } : {});
}

/** The runner of a plan after its start-up checks (dataset readable, command executable); closed again when they fail. */
async function preparedRunner(plan: StudyPlan, flags: RunFlags, parallel: number): Promise<Runner> {
  const perGpu = positiveInt('--per-gpu', flags.perGpu);
  const runner = await buildRunner(plan, {
    logDir: flags.logDir ?? '.hyperzone/logs',
    parallel,
    ...(perGpu !== undefined ? { perGpu } : {}),
    ...(flags.modelDir !== undefined ? { modelDir: flags.modelDir } : {}),
  });
  try {
    await runner.prepare?.();
  } catch (e) {
    await runner.close?.();
    throw e;
  }
  return runner;
}

/**
 * `hyperzone run SPEC`: creates or resumes the spec's study and runs it to the end; prints the results table.
 * Every start-up check (spec and params, flags, resume compatibility, dataset, command) passes before the study
 * is created, so a corrected spec is never refused for a study that a failed start left behind.
 */
export async function runCommand(specPath: string, flags: RunFlags): Promise<number> {
  const plan = planOf(specPath, flags);
  const parallel = parallelOf(plan, flags);
  positiveInt('--per-gpu', flags.perGpu);
  return withStorage(flags.storage, async (storage) => {
    const existing = await storage.getStudy(plan.name);
    if (existing) checkResume(existing, plan, { allowSamplerChange: flags.allowSamplerChange === true });
    const runner = await preparedRunner(plan, flags, parallel);
    let opened;
    try {
      opened = await openStudyForPlan(storage, plan, { allowSamplerChange: flags.allowSamplerChange === true });
    } catch (e) {
      await runner.close?.();
      throw e;
    }
    return execute(storage, opened.study, plan, runner, parallel, flags, opened.resumed ? 'resuming' : 'starting');
  });
}

/**
 * `hyperzone create SPEC`: stores the spec's study (and enqueues its planned trials: grid points) without running
 * anything, so workers on other machines can join it with `hyperzone worker --study NAME`.
 */
export async function createCommand(specPath: string, flags: RunFlags, print: (line: string) => void = out): Promise<number> {
  const plan = planOf(specPath, flags);
  return withStorage(flags.storage, async (storage) => {
    const { study, resumed } = await openStudyForPlan(storage, plan, { allowSamplerChange: flags.allowSamplerChange === true });
    const sampler = createSampler(plan);
    let planned = 0;
    if (plan.sampler.type !== 'zones' && sampler.plan) {
      // The same plan, from the same seed, that every worker enqueues on start: storage deduplicates it.
      const trials = await storage.listTrials(study.id);
      planned = (await storage.enqueueTrials(study.id, sampler.plan({ space: plan.space, direction: study.direction, trials, rng: new Rng(deriveSeed(plan.seed, 'sampler', trials.length)) }))).length;
    }
    const where = redactUrl(storageUrl(flags.storage));
    print(`${resumed ? 'study exists' : 'created study'} ${study.name} in ${where}${planned ? `; ${planned} trials enqueued` : ''}`);
    print(`start workers with: hyperzone worker --storage '${where}' --study ${study.name}`);
    return 0;
  });
}

/**
 * `hyperzone worker`: joins an existing study (spec read from storage) and works until nothing is left.
 * A storage it cannot reach (wrong URL, host, password, database) is bad input: exit 2 at once, password redacted.
 */
export async function workerCommand(flags: RunFlags): Promise<number> {
  let storage: Storage;
  try {
    // A worker joins a study that a `run` created: a missing SQLite file or PostgreSQL schema is an error (exit 2
    // naming it), not a new empty storage.
    storage = await openStorage(storageUrl(flags.storage), { mustExist: true });
  } catch (e) {
    if (e instanceof StorageError && e.code === 'CONNECTION_ERROR') throw new InputError(e.message, { cause: e, code: 'CONNECTION_ERROR' });
    throw e;
  }
  try {
    const study = await resolveStudy(storage, flags.study);
    const plan = planOfStudy(study);
    if (plan === null) throw new InputError(`Study \`${study.name}\` was created in code (an objective function, no spec file): a worker has no trainer to run it with`);
    const parallel = parallelOf(plan, flags);
    const runner = await preparedRunner(plan, flags, parallel);
    return await execute(storage, study, plan, runner, parallel, { ...flags, storage: storageUrl(flags.storage) }, 'joining', true);
  } finally {
    await storage.close();
  }
}

/** Runs a prepared runner over an opened study until nothing is left (or Ctrl-C); closes the runner. */
async function execute(
  storage: Storage, study: StudyRecord, plan: StudyPlan, runner: Runner, parallel: number, flags: RunFlags, verb: string, waitForOthers = false,
): Promise<number> {
  // One sampler for the whole run: the worker and the recommendation line share its fitted state.
  const sampler = createSampler(plan);
  let zonesReport: string | null = null;
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    if (process.stderr.isTTY !== true) err('Interrupted: stopping running trials (Ctrl-C again to quit at once).');
    controller.abort(new Error('interrupted'));
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  const { metric, direction } = plan.objective;
  const progress = createProgress({ quiet: flags.quiet ?? false, tty: process.stderr.isTTY === true, metric, direction });
  const started = Date.now();
  let summary: WorkerSummary;
  try {
    const before = await storage.countTrials(study.id);
    const doneBefore = before.complete + before.failed + before.pruned;
    if (!flags.quiet) err(`hyperzone: ${verb} study ${study.name} (${doneBefore} trials done) with ${runner.name}, ${parallel} in parallel`);
    const space = plan.space;
    const workerId = newWorkerId();
    if (plan.sampler.type === 'zones') {
      try {
        const outDir = flags.outDir ?? pathUnder('.hyperzone', study.name);
        const result = await runZonesStudy(plan, {
          storage, study, space, fixed: plan.fixed, workerId, parallel, maxAttempts: plan.maxAttempts, seed: plan.seed,
          signal: controller.signal, events: progress.events, runner, outDir,
          onEnqueued: (total, done) => progress.setTotal(total, done),
        });
        zonesReport = renderZonesReport(result.documents) + `\n\nstage documents: ${outDir}/1-zones.json … 4-confirm.json`;
        summary = { complete: 0, pruned: 0, failed: 0, interrupted: false };
      } catch (e) {
        if (!(e instanceof Interrupted)) throw e;
        summary = { complete: 0, pruned: 0, failed: 0, interrupted: true };
      }
    } else {
      // Requeued trials (`hyperzone retry`) come on top of the plan: the total counts every trial there is.
      progress.setTotal(Math.max(plan.plannedTotal, doneBefore + before.waiting + before.running), doneBefore);
      summary = await runWorker({
        storage, study, space, sampler, runner, parallel,
        ...withScheduler(createScheduler(plan)),
        fixed: plan.fixed,
        workerId,
        seed: plan.seed,
        budget: plan.budget,
        ...(plan.maxTrials !== undefined ? { maxTrials: plan.maxTrials } : {}),
        maxAttempts: plan.maxAttempts,
        signal: controller.signal,
        events: progress.events,
        waitForOthers,
      });
    }
  } finally {
    progress.stop();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    await runner.close?.();
  }
  const trials = await storage.listTrials(study.id);
  if (!flags.quiet || !summary.interrupted) {
    out(renderResults(resultRows(trials, study.direction), study.metric, 20, study.objectives));
    if (study.objectives.length > 1) out('\n' + renderPareto(paretoSummary(trials, study.objectives)));
    else if (plan.sampler.type !== 'zones') {
      const rec = recommendedLine(sampler, trials, plan.space, study.direction, study.metric, bestOf(trials.filter((t) => t.state === 'complete'), study.direction) ?? null);
      if (rec) out(rec);
    }
    const c = await storage.countTrials(study.id);
    if (zonesReport) out('\n' + zonesReport);
    out(`\n${c.complete} complete, ${c.pruned} pruned, ${c.failed} failed, ${c.waiting + c.running} left; this run ${formatDuration((Date.now() - started) / 1000)}`);
  }
  if (summary.interrupted) {
    err('Interrupted: finished trials are saved; run the same command again to resume (interrupted trials restart).');
    return 130;
  }
  // A failure retried since (`hyperzone retry`) and then done no longer counts: its record stays only as history.
  return unresolvedFailures(trials).length > 0 ? 1 : 0;
}

/** Trials in parallel: the flag, else the spec's `parallel`, else one per core for the built-in trainer (each trial is single-threaded). */
function parallelOf(plan: StudyPlan, flags: RunFlags): number {
  const flag = positiveInt('--parallel', flags.parallel);
  if (flag !== undefined) return flag;
  if (plan.parallel !== undefined) return plan.parallel;
  return plan.trainer.type === 'tfjs' ? Math.max(1, availableParallelism()) : Math.max(1, Math.floor(availableParallelism() / 2));
}

/** The scheduler option of runWorker, present only when the spec has one. */
function withScheduler(scheduler: Scheduler | undefined): { scheduler?: Scheduler } {
  return scheduler ? { scheduler } : {};
}
