import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControllerSampler, modelSpaceProblem } from './controller.js';
import type { Sampler } from './sampler.js';
import { Surrogate } from '../controller/surrogate.js';
import type { Example } from '../controller/features.js';
import { Space } from '../space/space.js';
import { Rng } from '../core/rng.js';
import type { Params, TrialRecord } from '../core/types.js';
import { compile } from '../spec/compile.js';
import { createSampler } from '../spec/build.js';
import { loadPlan } from '../spec/load.js';
import { loadControllerModel } from '../spec/controller-model.js';

const spec = {
  lr: { type: 'float', low: 1e-4, high: 1e-1, log: true },
  width: { type: 'float', low: 0, high: 1 },
} as const;
const space = Space.fromSpec(spec);

/** The tasks share a shape (best at lr 1e-2.5, width 1) but differ in level: the warm start must transfer the shape. */
const shape = (p: Params): number => -0.15 * (Math.log10(p['lr'] as number) + 2.5) ** 2 + 0.2 * (p['width'] as number);

function task(level: number, n: number, seed: number): Example[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => {
    const p = space.sample(rng);
    const final = level + shape(p);
    const curve = Array.from({ length: 8 }, (_, t) => final - (final - 0.1) * Math.exp(-(t + 1) / 2) + 0.003 * rng.normal());
    return { params: p, curve, budget: 8, final: curve[7] as number, group: `task-${level}` };
  });
}

let cached: Surrogate | null = null;
async function model(): Promise<Surrogate> {
  cached ??= await Surrogate.train(space, 'maximize', [...task(0.7, 80, 1), ...task(0.75, 80, 2), ...task(0.8, 80, 3)], {
    members: 3, hidden: [24, 24], epochs: 20, batchSize: 128, learningRate: 5e-3, seed: 7, validationShare: 0, backend: 'wasm',
  });
  return cached;
}

const trial = (number: number, params: Params, value: number | null): TrialRecord => ({
  id: number + 1, studyId: 1, number, state: value === null ? 'running' : 'complete', params, seed: number, budget: null, value,
  metrics: {}, steps: [], attrs: {}, error: null, workerId: null, attempts: 1, createdAt: 0, startedAt: 0,
  finishedAt: value === null ? null : 0, heartbeatAt: null,
});

test('the warm start transfers: its first proposals on an unseen task beat nearly all random configurations', async () => {
  const m = await model();
  const s = new ControllerSampler({ model: m, warm: 3, candidates: 500 });
  const level = 0.6; // below every training task
  const trials: TrialRecord[] = [];
  for (let i = 0; i < 3; i++) {
    const r = s.sample({ space, direction: 'maximize', trials, rng: new Rng(100 + i) });
    assert.ok(r !== null);
    trials.push(trial(i, r.params, level + shape(r.params)));
  }
  const rng = new Rng(9);
  const random = Array.from({ length: 1000 }, () => shape(space.sample(rng))).sort((a, b) => a - b);
  const cut = random[Math.floor(0.95 * random.length)] as number;
  const best = Math.max(...trials.map((t) => (t.value as number) - level));
  assert.ok(best > cut, `best warm proposal's shape ${best.toFixed(4)} vs the random 95th percentile ${cut.toFixed(4)}`);
  // The first proposal sees no trial: it is the model's own top pick, and it carries the model's prediction.
  const first = s.sample({ space, direction: 'maximize', trials: [], rng: new Rng(100) });
  assert.deepEqual(first?.params, trials[0]?.params, 'deterministic for the same trials and seed');
  const info = first?.attrs?.['controller.warm'] as { predicted: number; sd: number; ei: number };
  assert.ok(info.sd > 0 && info.ei > 0 && Number.isFinite(info.predicted));
});

test('finished trials correct the prediction: an observed offset moves the predicted level of the next proposal', async () => {
  const m = await model();
  const s = new ControllerSampler({ model: m, warm: 5, candidates: 300 });
  const p0 = s.sample({ space, direction: 'maximize', trials: [], rng: new Rng(1) });
  assert.ok(p0 !== null);
  const prior = (p0.attrs?.['controller.warm'] as { predicted: number }).predicted;
  // This task sits 0.4 above what the model predicts at its first proposal.
  const observed = prior + 0.4;
  const next = s.sample({ space, direction: 'maximize', trials: [trial(0, p0.params, observed)], rng: new Rng(2) });
  const predicted = (next?.attrs?.['controller.warm'] as { predicted: number }).predicted;
  const uncorrected = m.predict(next?.params as Params, [], 1).mean;
  assert.ok(predicted - uncorrected > 0.25, `correction ${(predicted - uncorrected).toFixed(3)} (the offset was 0.4)`);
  assert.notDeepEqual(next?.params, p0.params, 'never the same configuration twice');
  // `transform` maps the study's values to the model's scale (here the model's values are log10 of the study's).
  const logged = new ControllerSampler({ model: m, warm: 5, candidates: 300, transform: Math.log10 });
  const viaLog = logged.sample({ space, direction: 'maximize', trials: [trial(0, p0.params, 10 ** observed)], rng: new Rng(2) });
  assert.ok(Math.abs((viaLog?.attrs?.['controller.warm'] as { predicted: number }).predicted - predicted) < 1e-9);
  // A running trial counts as observed (kriging believer): a parallel worker gets another configuration.
  const parallel = s.sample({ space, direction: 'maximize', trials: [trial(0, p0.params, null)], rng: new Rng(1) });
  assert.notDeepEqual(parallel?.params, p0.params);
});

test('a model trained to maximise refuses a study that minimises', async () => {
  const m = await model();
  assert.match(modelSpaceProblem(m, space, 'minimize') ?? '', /predicts an objective to maximize, the study's is to minimize/);
  const s = new ControllerSampler({ model: m, warm: 2 });
  assert.throws(() => s.sample({ space, direction: 'minimize', trials: [], rng: new Rng(1) }), /cannot propose here/);
});

test('after `warm` trials the sampler hands over to `after`, which sees every trial; its pick is returned', async () => {
  const m = await model();
  const seen: number[] = [];
  const after: Sampler & { returnedConfiguration: () => { params: Params } } = {
    name: 'stub',
    sample: (ctx) => { seen.push(ctx.trials.length); return { params: { lr: 0.001, width: 0.5 } }; },
    returnedConfiguration: () => ({ params: { lr: 0.002, width: 0.4 } }),
  };
  const s = new ControllerSampler({ model: m, warm: 2, candidates: 50, after });
  const trials: TrialRecord[] = [];
  for (let i = 0; i < 4; i++) {
    const r = s.sample({ space, direction: 'maximize', trials, rng: new Rng(i) });
    trials.push(trial(i, r?.params as Params, 0.5));
    assert.equal(r?.attrs?.['controller.warm'] !== undefined, i < 2);
  }
  assert.deepEqual(seen, [2, 3]);
  assert.deepEqual(s.returnedConfiguration(trials, space, 'maximize'), { params: { lr: 0.002, width: 0.4 } });
  // warm: 0 is `after` alone.
  assert.equal(new ControllerSampler({ model: m, warm: 0, after }).sample({ space, direction: 'maximize', trials: [], rng: new Rng(1) })?.params['lr'], 0.001);
  assert.throws(() => new ControllerSampler({ model: m, warm: -1 }), /`warm` to be an integer ≥ 0, got -1/);
  assert.throws(() => new ControllerSampler({ model: m, priorMean: true, after }), /`priorMean` only with the default `after`/);
  assert.throws(() => new ControllerSampler({ model: m, candidates: 0 }), /`candidates` to be an integer ≥ 1, got 0/);
  assert.throws(() => new ControllerSampler({ model: m, descriptors: { rows: 3 } }), /`descriptors` to name the model's descriptors \(none\), got `rows`/);
});

test('the model must fit the space: same params, the study domain inside the model domain', async () => {
  const m = await model();
  assert.equal(modelSpaceProblem(m, Space.fromSpec({ ...spec, width: { type: 'float', low: 0.2, high: 0.8 } }), 'maximize'), null);
  assert.match(modelSpaceProblem(m, Space.fromSpec({ lr: spec.lr }), 'maximize') ?? '', /trained on params lr, width; the space has lr$/);
  assert.match(modelSpaceProblem(m, Space.fromSpec({ ...spec, width: { type: 'float', low: 0, high: 2 } }), 'maximize') ?? '', /`width` = 2 lies outside the model's domain/);
  assert.match(modelSpaceProblem(m, Space.fromSpec({ ...spec, width: { type: 'categorical', choices: [0.5, 3] } }), 'maximize') ?? '', /`width` = 3 lies outside/);
});

test('spec: `sampler: { type: controller, model }` builds the sampler; a bad model file or space is an error naming sampler.model', async () => {
  const m = await model();
  const dir = mkdtempSync(join(tmpdir(), 'hz-ctl-sampler-'));
  try {
    const file = join(dir, 'model.json');
    m.save(file);
    const base = { study: 'c', space: spec, trainer: { type: 'command', command: ['true'] }, objective: { metric: 'acc', direction: 'maximize' } };
    const write = (name: string, sampler: unknown, extra: Record<string, unknown> = {}): string => {
      const p = join(dir, `${name}.json`);
      writeFileSync(p, JSON.stringify({ ...base, ...extra, sampler }));
      return p;
    };
    const plan = loadPlan(write('ok', { type: 'controller', trials: 20, model: file, warm: 4 }));
    const s = createSampler(plan);
    assert.ok(s instanceof ControllerSampler);
    assert.equal(s.warm, 4);
    assert.equal((s.after as { name: string }).name, 'auto');
    assert.throws(() => loadPlan(write('missing', { type: 'controller', trials: 20, model: join(dir, 'nope.json') })), /Expected `sampler\.model` to be a controller model file.*nope\.json.*Cannot read/);
    assert.throws(() => loadPlan(write('space', { type: 'controller', trials: 20, model: file }, { space: { lr: spec.lr } })), /Expected `sampler\.model` ".*model\.json" to fit the study's space: it was trained on params lr, width/);
    assert.throws(() => loadPlan(write('dir', { type: 'controller', trials: 20, model: file }, { objective: { metric: 'loss', direction: 'minimize' } })), /`sampler\.model`.*predicts an objective to maximize/);
    assert.throws(() => loadPlan(write('desc', { type: 'controller', trials: 20, model: file, descriptors: { rows: 1 } })), /Expected `sampler\.descriptors` to name descriptors the model was trained with \(none\), got `rows`/);
    assert.throws(() => compile({ ...base, sampler: { type: 'controller', trials: 20, model: file, warm: -1 } }), /sampler\.warm/);
    assert.throws(() => compile({ ...base, sampler: { type: 'controller', trials: 20 } }), /sampler\.model/);
    assert.throws(() => compile({ ...base, sampler: { type: 'controller', trials: 20, model: file, wram: 3 } }), /wram/);
    // prior_mean: auto's GP takes the surrogate as its prior mean; a non-boolean is an error naming the field.
    const pmSampler = createSampler(loadPlan(write('pm', { type: 'controller', trials: 20, model: file, prior_mean: true })));
    assert.ok(pmSampler instanceof ControllerSampler);
    assert.equal(typeof (pmSampler.after as unknown as { gp: { priorMean: unknown } }).gp.priorMean, 'function');
    assert.equal((s.after as unknown as { gp: { priorMean: unknown } }).gp.priorMean, null);
    assert.throws(() => compile({ ...base, sampler: { type: 'controller', trials: 20, model: file, prior_mean: 'yes' } }), /sampler\.prior_mean/);
    // Under a rung-based scheduler, auto after the warm start is BOHB-style, as `type: auto` is.
    const hb = createSampler(compile({ ...base, budget: { epochs: 9 }, scheduler: { type: 'hyperband' }, sampler: { type: 'controller', trials: 20, model: file } }));
    assert.ok(hb instanceof ControllerSampler && hb.after.name !== 'auto');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('start: portfolio proposes the model\'s learned portfolio in order, skipping what was tried, then hands over', async () => {
  const m = await model();
  const pf = m.json.portfolio;
  assert.ok(pf, 'a model trained on three tasks carries a portfolio');
  assert.equal(pf.params.length, 20);
  assert.equal(pf.groups, 3);
  assert.equal(pf.candidates, 240);
  // Every task shares the shape, so the portfolio's first member is among the best configurations of the training data.
  const shapes = [...task(0.7, 80, 1), ...task(0.75, 80, 2), ...task(0.8, 80, 3)].map((e) => shape(e.params)).sort((a, b) => b - a);
  assert.ok(shape(pf.params[0] as Params) >= (shapes[Math.floor(0.05 * shapes.length)] as number), 'the first member is in the top 5 % of the training configurations');
  const handed: string[] = [];
  const after: Sampler = { name: 'after', sample: (ctx) => { handed.push(String(ctx.trials.length)); return { params: { lr: 0.01, width: 0.5 } }; } };
  const s = new ControllerSampler({ model: m, warm: 3, start: 'portfolio', after });
  const trials: TrialRecord[] = [trial(0, pf.params[1] as Params, 0.5)]; // the second member was already run
  const got: { params: Params; attrs?: Readonly<Record<string, unknown>> }[] = [];
  for (let i = 1; i < 4; i++) {
    const r = s.sample({ space, direction: 'maximize', trials, rng: new Rng(i) });
    assert.ok(r !== null);
    got.push(r);
    trials.push(trial(i, r.params, 0.5));
  }
  assert.deepEqual(got.slice(0, 2).map((r) => r.params), [pf.params[0], pf.params[2]]);
  assert.deepEqual(got.slice(0, 2).map((r) => r.attrs), [{ 'controller.warm': { portfolio: 0 } }, { 'controller.warm': { portfolio: 2 } }]);
  assert.deepEqual(handed, ['3'], 'after 3 trials `after` proposes');
  // An explicit portfolio replaces the model's; members outside the space are skipped.
  const own = new ControllerSampler({ model: m, warm: 2, start: 'portfolio', portfolio: [{ lr: 5, width: 0.5 }, { lr: 0.001, width: 0.25 }] });
  assert.deepEqual(own.sample({ space, direction: 'maximize', trials: [], rng: new Rng(1) })?.params, { lr: 0.001, width: 0.25 });
  // Past the portfolio's end the warm start goes on by the surrogate's EI.
  const short = new ControllerSampler({ model: m, warm: 2, start: 'portfolio', portfolio: [{ lr: 0.001, width: 0.25 }] });
  const ei = short.sample({ space, direction: 'maximize', trials: [trial(0, { lr: 0.001, width: 0.25 }, 0.6)], rng: new Rng(2) });
  assert.ok(ei !== null && typeof (ei.attrs?.['controller.warm'] as { ei?: unknown }).ei === 'number');
  assert.throws(() => new ControllerSampler({ model: m, start: 'bogus' as never }), /Expected `start` to be surrogate or portfolio, got "bogus"/);
});

test('a model trained on one task has no portfolio: start: portfolio is refused in the library and the spec (sampler.start)', async () => {
  const one = await Surrogate.train(space, 'maximize', task(0.7, 40, 1), { members: 1, hidden: [8], epochs: 2, batchSize: 64, seed: 1, validationShare: 0, backend: 'wasm' });
  assert.equal(one.json.portfolio, undefined);
  assert.throws(() => new ControllerSampler({ model: one, start: 'portfolio' }), /Expected a portfolio for `start: portfolio`: the model file has none/);
  const none = await Surrogate.train(space, 'maximize', [...task(0.7, 20, 1), ...task(0.8, 20, 2)], { members: 1, hidden: [8], epochs: 2, batchSize: 64, seed: 1, validationShare: 0, backend: 'wasm', portfolioSize: 0 });
  assert.equal(none.json.portfolio, undefined);
  await assert.rejects(Surrogate.train(space, 'maximize', task(0.7, 20, 1), { members: 1, epochs: 1, validationShare: 0, backend: 'wasm', portfolioSize: -1 }), /Expected `portfolio_size` to be an integer ≥ 0, got -1/);
  const dir = mkdtempSync(join(tmpdir(), 'hz-ctl-portfolio-'));
  try {
    const file = join(dir, 'one.json');
    one.save(file);
    const p = join(dir, 'spec.json');
    const base = { study: 'c', space: spec, trainer: { type: 'command', command: ['true'] }, objective: { metric: 'acc', direction: 'maximize' } };
    writeFileSync(p, JSON.stringify({ ...base, sampler: { type: 'controller', trials: 20, model: file, start: 'portfolio' } }));
    assert.throws(() => loadPlan(p), /Expected `sampler\.start` = "portfolio" with a model that has a portfolio; ".*one\.json" has none/);
    assert.throws(() => compile({ ...base, sampler: { type: 'controller', trials: 20, model: file, start: 'best' } }), /sampler\.start/);
    const full = join(dir, 'full.json');
    (await model()).save(full);
    writeFileSync(p, JSON.stringify({ ...base, sampler: { type: 'controller', trials: 20, model: full, start: 'portfolio', warm: 2 } }));
    const s = createSampler(loadPlan(p));
    assert.ok(s instanceof ControllerSampler);
    assert.deepEqual(s.sample({ space, direction: 'maximize', trials: [], rng: new Rng(1) })?.attrs, { 'controller.warm': { portfolio: 0 } });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('spec: the model file is read once for loadPlan and the build, and again once it changes', async () => {
  const m = await model();
  const dir = mkdtempSync(join(tmpdir(), 'hz-ctl-once-'));
  try {
    const file = join(dir, 'model.json');
    m.save(file);
    const p = join(dir, 'spec.json');
    writeFileSync(p, JSON.stringify({ study: 'c', space: spec, trainer: { type: 'command', command: ['true'] }, objective: { metric: 'acc', direction: 'maximize' }, sampler: { type: 'controller', trials: 5, model: file } }));
    const plan = loadPlan(p);
    const a = loadControllerModel(file, plan.space, 'maximize');
    assert.equal(loadControllerModel(file, plan.space, 'maximize'), a, 'unchanged file: the same model');
    const other = await Surrogate.train(space, 'maximize', task(0.7, 20, 1), { members: 1, hidden: [4], epochs: 1, seed: 1, validationShare: 0, backend: 'wasm' });
    other.save(file);
    const b = loadControllerModel(file, plan.space, 'maximize');
    assert.notEqual(b, a, 'a changed file is read again');
    assert.equal(b.ensemble.json.members.length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
