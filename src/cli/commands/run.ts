import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Interrupted } from '../../study/plan-evaluator.js';
import { runZonesStudy } from '../../study/zones-study.js';
import { renderZonesReport } from '../../reports/zones-report.js';
import { runWorker, type WorkerSummary } from '../../study/engine.js';
import { buildRunner } from '../../study/build-runner.js';
import { budgetOf, maxTrialsOf, plannedTotal, schedulerFromSpec, openStudyForSpec, samplerFromSpec, spaceOf, specOfStudy } from '../../study/from-spec.js';
import { loadSpecFile, type StudySpec } from '../../study/spec.js';
import type { StudyRecord } from '../../study/types.js';
import { newWorkerId } from '../../study/worker-id.js';
import { unresolvedFailures } from '../../study/failures.js';
import type { Storage } from '../../storage/storage.js';
import type { Scheduler } from '../../schedulers/scheduler.js';
import { renderResults, resultRows } from '../../reports/results.js';
import { recommendedLine } from '../../reports/recommended.js';
import { bestOf } from '../../study/study.js';
import { formatDuration } from '../../reports/text-table.js';
import { createProgress } from '../progress.js';
import { positiveInt, resolveStudy, storageUrl, withStorage } from '../context.js';
import { openStorage, redactUrl } from '../../storage/open.js';
import { deriveSeed, Rng } from '../../util/rng.js';
import { InputError, StorageError } from '../../errors.js';

/** Flags shared by `run` and `worker`. */
export interface RunFlags {
  storage?: string;
  study?: string;
  parallel?: string;
  perGpu?: string;
  quiet?: boolean;
  logDir?: string;
  outDir?: string;
}

const out = (s: string): void => void process.stdout.write(s + '\n');
const err = (s: string): void => void process.stderr.write(s + '\n');

/** `hyperzone run SPEC`: creates or resumes the spec's study and runs it to the end; prints the results table. */
export async function runCommand(specPath: string, flags: RunFlags): Promise<number> {
  const loaded = loadSpecFile(specPath);
  const spec: StudySpec = flags.study !== undefined ? { ...loaded, study: flags.study } : loaded;
  return withStorage(flags.storage, async (storage) => {
    const { study, resumed } = await openStudyForSpec(storage, spec);
    return execute(storage, study, spec, flags, resumed ? 'resuming' : 'starting');
  });
}

/**
 * `hyperzone create SPEC`: stores the spec's study (and enqueues its planned trials: grid points) without running
 * anything, so workers on other machines can join it with `hyperzone worker --study NAME`.
 */
export async function createCommand(specPath: string, flags: RunFlags, print: (line: string) => void = out): Promise<number> {
  const loaded = loadSpecFile(specPath);
  const spec: StudySpec = flags.study !== undefined ? { ...loaded, study: flags.study } : loaded;
  return withStorage(flags.storage, async (storage) => {
    const { study, resumed } = await openStudyForSpec(storage, spec);
    const sampler = samplerFromSpec(spec);
    let planned = 0;
    if (spec.sampler.type !== 'zones' && sampler.plan) {
      // The same plan, from the same seed, that every worker enqueues on start: storage deduplicates it.
      const trials = await storage.listTrials(study.id);
      planned = (await storage.enqueueTrials(study.id, sampler.plan({ space: spaceOf(spec), direction: study.direction, trials, rng: new Rng(deriveSeed(spec.seed, 'sampler', trials.length)) }))).length;
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
    storage = await openStorage(storageUrl(flags.storage));
  } catch (e) {
    if (e instanceof StorageError && e.code === 'CONNECTION_ERROR') throw new InputError(e.message, { cause: e, code: 'CONNECTION_ERROR' });
    throw e;
  }
  try {
    const study = await resolveStudy(storage, flags.study);
    return await execute(storage, study, specOfStudy(study), { ...flags, storage: storageUrl(flags.storage) }, 'joining', true);
  } finally {
    await storage.close();
  }
}

async function execute(storage: Storage, study: StudyRecord, spec: StudySpec, flags: RunFlags, verb: string, waitForOthers = false): Promise<number> {
  const parallel = positiveInt('--parallel', flags.parallel) ?? spec.parallel ?? defaultParallel(spec);
  const perGpu = positiveInt('--per-gpu', flags.perGpu);
  const logDir = flags.logDir ?? '.hyperzone/logs';
  const runner = await buildRunner(spec, { logDir, parallel, ...(perGpu !== undefined ? { perGpu } : {}) });
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
  const progress = createProgress({ quiet: flags.quiet ?? false, tty: process.stderr.isTTY === true, metric: spec.objective.metric, direction: spec.objective.direction });
  const started = Date.now();
  let summary: WorkerSummary;
  try {
    await runner.prepare?.();
    const before = await storage.countTrials(study.id);
    const doneBefore = before.complete + before.failed + before.pruned;
    if (!flags.quiet) err(`hyperzone: ${verb} study ${study.name} (${doneBefore} trials done) with ${runner.name}, ${parallel} in parallel`);
    const space = spaceOf(spec);
    const workerId = newWorkerId();
    if (spec.sampler.type === 'zones') {
      try {
        const outDir = flags.outDir ?? join('.hyperzone', study.name);
        const result = await runZonesStudy(spec, {
          storage, study, space, fixed: spec.fixed, workerId, parallel, maxAttempts: spec.max_attempts, seed: spec.seed,
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
      progress.setTotal(plannedTotal(spec), doneBefore);
      summary = await runWorker({
        storage, study, space, sampler: samplerFromSpec(spec), runner, parallel,
        ...withScheduler(schedulerFromSpec(spec)),
        fixed: spec.fixed,
        workerId,
        seed: spec.seed,
        budget: budgetOf(spec),
        ...(maxTrialsOf(spec) !== undefined ? { maxTrials: maxTrialsOf(spec) as number } : {}),
        maxAttempts: spec.max_attempts,
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
    out(renderResults(resultRows(trials, study.direction), study.metric, 20));
    if (spec.sampler.type !== 'zones') {
      const rec = recommendedLine(samplerFromSpec(spec), trials, spaceOf(spec), study.direction, study.metric, bestOf(trials.filter((t) => t.state === 'complete'), study.direction) ?? null);
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

/** Trials in parallel by default: one per core for the built-in trainer (each trial is single-threaded). */
function defaultParallel(spec: StudySpec): number {
  return spec.trainer.type === 'tfjs' ? Math.max(1, availableParallelism()) : Math.max(1, Math.floor(availableParallelism() / 2));
}

/** The scheduler option of runWorker, present only when the spec has one. */
function withScheduler(scheduler: Scheduler | undefined): { scheduler?: Scheduler } {
  return scheduler ? { scheduler } : {};
}
