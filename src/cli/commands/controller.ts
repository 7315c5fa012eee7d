import { InputError } from '../../core/errors.js';
import { checkStudyName } from '../../core/names.js';
import type { Direction, StudyRecord, TrialRecord } from '../../core/types.js';
import { Surrogate, type Evaluation, type Example, type Scores } from '../../controller/index.js';
import { Space } from '../../space/space.js';
import type { ParamSpec } from '../../space/condition.js';
import { planOfStudy, readStoredSpec } from '../../spec/index.js';
import { renderTable } from '../../reports/text-table.js';
import { positiveInt, storageUrl, withStorage } from '../context.js';

const out = (s: string): void => void process.stdout.write(s + '\n');

/** The examples of complete trials in storages (every study, or those named), with the first study's space, direction and metric. */
interface Harvest { space: Space; direction: Direction; metric: string; examples: Example[]; skipped: number; studies: string[] }

/** A study's space: its compiled plan's, or (a study made in code) the stored one. */
function spaceOf(study: StudyRecord): Space {
  const plan = planOfStudy(study, { checkParams: false });
  return plan ? plan.space : Space.fromSpec(readStoredSpec(study.spec, study.name).space as Record<string, ParamSpec>);
}

/** A trial's objective after steps 1..last (a step without the metric repeats the previous value). */
function curveOf(t: TrialRecord, metric: string): number[] {
  const at = new Map<number, number>();
  for (const s of t.steps) {
    const v = s.metrics[metric];
    if (v !== undefined && Number.isFinite(v)) at.set(s.step, v);
  }
  const last = Math.max(0, ...at.keys());
  const first = at.get(Math.min(...at.keys()));
  const curve: number[] = [];
  let v = first ?? NaN;
  for (let k = 1; k <= last; k++) { v = at.get(k) ?? v; curve.push(v); }
  return curve;
}

async function harvest(urls: readonly string[], studyNames: readonly string[] | undefined, fixedSpace: Space | null): Promise<Harvest> {
  let h: Harvest | null = null;
  for (const n of studyNames ?? []) checkStudyName(n);
  for (const url of urls) {
    await withStorage(url, async (storage) => {
      const names = studyNames?.length ? [...studyNames] : (await storage.listStudies()).map((s) => s.name);
      for (const name of names) {
        const study = await storage.getStudy(name);
        if (!study) continue;
        const space = fixedSpace ?? h?.space ?? spaceOf(study);
        if (h === null) h = { space, direction: study.direction, metric: study.metric, examples: [], skipped: 0, studies: [] };
        if (study.direction !== h.direction || study.metric !== h.metric) {
          throw new InputError(`Study \`${name}\` (${url}) has objective ${study.direction} ${study.metric}; the first study has ${h.direction} ${h.metric}: one model learns one objective`);
        }
        h.studies.push(`${name}`);
        for (const t of await storage.listTrials(study.id, { states: ['complete'] })) {
          const params = Object.fromEntries(Object.entries(t.params).filter(([k]) => space.names.includes(k)));
          if (t.value === null || !Number.isFinite(t.value) || !space.contains(params)) { h.skipped++; continue; }
          const curve = curveOf(t, study.metric);
          h.examples.push({ params, curve, budget: t.budget ?? Math.max(1, curve.length), final: t.value, group: name });
        }
      }
    }, { readOnly: true });
  }
  if (h === null) throw new InputError(`No studies${studyNames?.length ? ` named ${studyNames.join(', ')}` : ''} in ${urls.join(', ')}`);
  return h;
}

function parseShare(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!(x >= 0 && x < 1)) throw new InputError(`Expected \`--validation-share\` to be a number in [0, 1), got ${JSON.stringify(v)}`);
  return x;
}

function parseHidden(v: string | undefined): number[] | undefined {
  if (v === undefined) return undefined;
  const xs = v.split(',').map(Number);
  if (xs.length === 0 || xs.some((x) => !Number.isInteger(x) || x < 1)) throw new InputError(`Expected \`--hidden\` to be widths ≥ 1 separated by commas (e.g. 64,64), got ${JSON.stringify(v)}`);
  return xs;
}

export interface TrainFlags {
  storage?: string[]; study?: string[]; out: string;
  members?: string; epochs?: string; hidden?: string; seed?: string; validationShare?: string; backend?: string; portfolioSize?: string;
}

/** `hyperzone controller train`: fits the surrogate on the complete trials of storages and saves it. */
export async function controllerTrainCommand(flags: TrainFlags): Promise<number> {
  // Every flag is checked before any storage is read.
  const members = positiveInt('--members', flags.members);
  const epochs = positiveInt('--epochs', flags.epochs);
  const hidden = parseHidden(flags.hidden);
  const share = parseShare(flags.validationShare);
  const seed = flags.seed === undefined ? 0 : Number(flags.seed);
  if (!Number.isSafeInteger(seed)) throw new InputError(`Expected \`--seed\` to be an integer, got ${JSON.stringify(flags.seed)}`);
  const portfolioSize = flags.portfolioSize === undefined ? undefined : Number(flags.portfolioSize);
  if (portfolioSize !== undefined && !(Number.isInteger(portfolioSize) && portfolioSize >= 0)) throw new InputError(`Expected \`--portfolio-size\` to be an integer ≥ 0, got ${JSON.stringify(flags.portfolioSize)}`);
  const urls = flags.storage?.length ? flags.storage : [storageUrl(undefined)];
  const h = await harvest(urls, flags.study, null);
  if (h.examples.length < 2) throw new InputError(`Expected at least 2 complete trials with a value to train on, found ${h.examples.length} in ${h.studies.join(', ')}`);
  const t0 = performance.now();
  const model = await Surrogate.train(h.space, h.direction, h.examples, {
    ...(members ? { members } : {}), ...(epochs ? { epochs } : {}), ...(hidden ? { hidden } : {}), ...(share !== undefined ? { validationShare: share } : {}),
    ...(flags.backend ? { backend: flags.backend } : {}), ...(portfolioSize !== undefined ? { portfolioSize } : {}), seed,
  });
  model.save(flags.out);
  out(`trained on ${model.json.training.examples} complete trials of ${h.studies.length} studies (${h.metric}, ${h.direction}; ${h.skipped} skipped), ${model.json.training.rows} rows, ${((performance.now() - t0) / 1000).toFixed(1)} s → ${flags.out}`);
  if (model.json.training.validation) printEvaluation(model.json.training.validation, 'held-out trials');
  return 0;
}

/** `hyperzone controller inspect FILE`: what a model learned, from the checks stored with it. */
export async function controllerInspectCommand(file: string): Promise<number> {
  const model = Surrogate.load(file);
  const t = model.json.training;
  out(`controller model ${file}: ${model.ensemble.json.members.length} members, ${model.encoder.columns.length} inputs, target ${model.direction === 'maximize' ? 'maximised' : 'minimised'}`);
  out(`trained on ${t.examples} examples (${t.rows} rows) from ${t.groups.length} groups in ${t.seconds.toFixed(1)} s; options ${JSON.stringify(t.options)}`);
  out(`space: ${model.space.names.join(', ')}${model.encoder.descriptors.length ? `; descriptors: ${model.encoder.descriptors.join(', ')}` : ''}; looks at curves after steps ${model.checkpointSteps(52).join(', ')} (of a 52-step budget)`);
  const pf = model.json.portfolio;
  if (pf) {
    const at = (k: number): string => `${Math.min(k, pf.params.length)}: ${(pf.regret[Math.min(k, pf.params.length) - 1] as number).toFixed(3)}`;
    out(`warm-start portfolio (\`start: portfolio\`): ${pf.params.length} configurations chosen from ${pf.candidates} (${pf.shared} run in two or more of its ${pf.groups} groups); mean normalised regret of its best member over the training groups, after ${[1, 5, 10, pf.params.length].filter((k, i, a) => a.indexOf(k) === i && k <= pf.params.length).map(at).join(', ')} (in-sample)`);
    for (const [i, p] of pf.params.slice(0, 3).entries()) out(`  ${i + 1}. ${JSON.stringify(p)}`);
  } else out('no warm-start portfolio (trained on trials of one group)');
  if (t.validation) printEvaluation(t.validation, 'held-out examples');
  else out('no held-out check stored (trained with --validation-share 0): run `hyperzone controller evaluate` on other trials');
  return 0;
}

/** `hyperzone controller evaluate FILE --storage URL...`: checks a model on the complete trials of storages. */
export async function controllerEvaluateCommand(file: string, flags: { storage?: string[]; study?: string[] }): Promise<number> {
  const model = Surrogate.load(file);
  const urls = flags.storage?.length ? flags.storage : [storageUrl(undefined)];
  const h = await harvest(urls, flags.study, model.space);
  if (h.direction !== model.direction) throw new InputError(`The model's target is ${model.direction}d, the studies' objective ${h.metric} is ${h.direction}d`);
  if (h.examples.length === 0) throw new InputError(`No complete trials in the model's space in ${h.studies.join(', ') || urls.join(', ')}`);
  out(`${h.examples.length} complete trials of ${h.studies.join(', ')} (${h.skipped} outside the model's space skipped)`);
  printEvaluation(model.evaluate(h.examples), 'these trials');
  return 0;
}

function printEvaluation(ev: Evaluation, what: string): void {
  const row = (name: string, s: Scores | null): (string | number)[] => (s === null ? [name, 0, '-', '-', '-', '-', '-', '-'] : [
    name, s.rows, s.rmse.toPrecision(3), s.rmseAnchor.toPrecision(3), s.spearman.toFixed(3), s.nll.toFixed(3), s.coverage80.toFixed(3), s.coverage95.toFixed(3),
  ]);
  out(`\nchecked on ${what}:`);
  out(renderTable(['curve seen', 'rows', 'rmse', 'rmse of last value', 'spearman', 'nll', 'coverage 80 %', 'coverage 95 %'], [
    row('none', ev.byCurve.none), row('≤ 25 % of budget', ev.byCurve.early), row('> 25 %', ev.byCurve.late), row('all', ev.all),
  ]));
  out('\ninput importance (rmse increase when the input is shuffled across rows):');
  out(renderTable(['input', 'rmse increase'], ev.importance.map((i) => [i.input, i.rmseIncrease.toPrecision(3)])));
  out('\npredicted vs actual (first 10 of a sample):');
  out(renderTable(['step seen', 'predicted', '95 % interval', 'actual'], ev.sample.slice(0, 10).map((s) => [s.step, s.predicted.toPrecision(4), `${s.lo95.toPrecision(4)} … ${s.hi95.toPrecision(4)}`, s.actual.toPrecision(4)])));
}
