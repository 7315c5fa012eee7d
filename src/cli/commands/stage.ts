import { InputError } from '../../core/errors.js';
import { addEntries, emptyResultSet, readResultSet, writeResultSet, type ResultSet } from '../../results/index.js';
import { computeOf, runStage, ZONE_STAGES, type ZoneStageName } from '../../strategies/zones/index.js';
import type { ZoneOptions } from '../../strategies/zones/options.js';
import { renderZonesReport } from '../../reports/zones-report.js';
import { buildRunner } from '../../study/build-runner.js';
import { openStudyForPlan } from '../../study/open-study.js';
import { loadPlan } from '../../spec/index.js';
import { evaluatePlan, Interrupted } from '../../study/plan-evaluator.js';
import { newWorkerId } from '../../study/worker-id.js';
import { createProgress } from '../progress.js';
import { positiveInt, withStorage } from '../context.js';

const err = (s: string): void => void process.stderr.write(s + '\n');

/** `hyperzone stage NAME [--in A.json] [--spec S.yaml] --out B.json`: runs one zone stage alone, data in and data out. */
export async function stageCommand(name: string, flags: { in?: string; out?: string; spec?: string; valSize?: string }): Promise<number> {
  if (!(ZONE_STAGES as readonly string[]).includes(name)) throw new InputError(`Unknown stage ${JSON.stringify(name)}; the stages are ${ZONE_STAGES.join(', ')}`);
  if (!flags.out) throw new InputError('Missing `--out FILE` for the stage\'s output document');
  const spec = flags.spec ? loadPlan(flags.spec) : undefined;
  if (!flags.in && !spec) throw new InputError('Give `--in RESULTS.json`, or `--spec SPEC` to start from an empty result set');
  const input: ResultSet = flags.in ? await readResultSet(flags.in) : emptyResultSet(spec!.spec.space, spec!.objective, spec!.fixed);
  const valSize = positiveInt('--val-size', flags.valSize);
  const options: ZoneOptions = { ...(spec ? spec.zoneOptions : {}), ...(valSize !== undefined ? { valSize } : {}) };
  const out = runStage(name as ZoneStageName, input, options);
  await writeResultSet(flags.out, out);
  const plan = out.plan ?? [];
  if (out.stage_output === undefined) {
    err(`stage ${name}: ${plan.length} trial(s) to evaluate are in ${flags.out}'s plan.`);
    err(`Evaluate them (here or split across machines: hyperzone evaluate --in ${flags.out} --spec SPEC --part 1/2 --out part1.json), merge the results (hyperzone merge ...), and run this stage again.`);
  } else {
    process.stdout.write(renderZonesReport({ [name]: out }) + '\n');
    err(`stage ${name} done → ${flags.out}`);
  }
  return 0;
}

/** `hyperzone evaluate --in PLAN.json --spec S.yaml --out R.json [--part k/n]`: runs a document's planned trials (or every n-th) and writes their results. */
export async function evaluateCommand(
  flags: { in?: string; out?: string; spec?: string; part?: string; storage?: string; parallel?: string; quiet?: boolean; logDir?: string },
): Promise<number> {
  if (!flags.in || !flags.out || !flags.spec) throw new InputError('`evaluate` needs `--in PLAN.json`, `--spec SPEC` (for the trainer) and `--out RESULTS.json`');
  const doc = await readResultSet(flags.in);
  const spec = loadPlan(flags.spec);
  const m = flags.part === undefined ? null : /^(\d+)\/(\d+)$/.exec(flags.part);
  if (flags.part !== undefined && (!m || Number(m[1]) < 1 || Number(m[1]) > Number(m[2]))) throw new InputError(`Expected \`--part\` as k/n with 1 ≤ k ≤ n, got ${JSON.stringify(flags.part)}`);
  const [k, n] = m ? [Number(m[1]), Number(m[2])] : [1, 1];
  const plan = (doc.plan ?? []).filter((_, i) => i % n === k - 1);
  if (plan.length === 0) throw new InputError(`${flags.in} has no planned trials${n > 1 ? ` in part ${k}/${n}` : ''}; run \`hyperzone stage\` to make a plan`);
  const parallel = positiveInt('--parallel', flags.parallel) ?? spec.parallel ?? 1;
  return withStorage(flags.storage, async (storage) => {
    // Start-up checks (dataset, command) before the study is created.
    const runner = await buildRunner(spec, { logDir: flags.logDir ?? '.hyperzone/logs', parallel });
    try {
      await runner.prepare?.();
    } catch (e) {
      await runner.close?.();
      throw e;
    }
    const { study } = await openStudyForPlan(storage, spec);
    const controller = new AbortController();
    const onSig = (): void => controller.abort();
    process.once('SIGINT', onSig);
    const progress = createProgress({
      quiet: flags.quiet ?? false, tty: process.stderr.isTTY === true, metric: spec.objective.metric, direction: spec.objective.direction,
    });
    try {
      const t0 = performance.now();
      const entries = await evaluatePlan({
        storage, study, space: spec.space, fixed: doc.fixed, workerId: newWorkerId(), parallel, maxAttempts: spec.maxAttempts, seed: spec.seed,
        signal: controller.signal, events: progress.events, onEnqueued: (total, done) => progress.setTotal(total, done),
      }, runner, plan);
      // Compute of this evaluation only (the input's earlier compute stays with the input): merging sums the parts.
      const tag = plan[0]?.attrs?.['zones.stage'];
      const stage = typeof tag === 'string' ? tag : 'evaluate';
      const c = computeOf(entries, (performance.now() - t0) / 1000, spec.zoneOptions.trainSize);
      const { compute: _earlier, ...rest } = addEntries(doc, entries);
      await writeResultSet(flags.out!, { ...rest, plan, compute: { [stage]: { ...c, runs: [newWorkerId()] } } });
      err(`evaluated ${entries.length} of ${plan.length} planned trial(s) → ${flags.out}`);
      return entries.length === plan.length ? 0 : 1;
    } catch (e) {
      if (e instanceof Interrupted) return 130;
      throw e;
    } finally {
      progress.stop();
      process.off('SIGINT', onSig);
      await runner.close?.();
    }
  });
}
