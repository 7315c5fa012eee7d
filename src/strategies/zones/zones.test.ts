import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HyperzoneError } from '../../core/errors.js';
import { emptyResultSet, mergeResultSets, parseResultSet, serializeResultSet, addEntries, type ResultSet } from '../../results/index.js';
import type { Params } from '../../core/types.js';
import { analyzeZones, defaultZoneSpace, goldenSearch, parabolaSearch, runStage, runZoneStrategy, splitSearch, type ConfirmOutput, type LineProblem, type RefineOutput, type ZonesOutput } from './index.js';
import { syntheticEvaluate, twoPeaks, type Synthetic } from './testkit.js';

const start = (): ResultSet => emptyResultSet(defaultZoneSpace().toJSON(), { metric: 'val_accuracy', direction: 'maximize' }, { optimizer: 'adam' });
const isStageError = (e: unknown): boolean => e instanceof HyperzoneError && e.code === 'STAGE_ERROR';

/** Runs stage 1 to completion on a synthetic objective. */
function stageOne(s: Synthetic, options: Parameters<typeof runStage>[2]): ResultSet {
  let rs = runStage('zones', start(), options);
  // The grid, then the second seeds of zone peaks that rest on one run, until the stage reports.
  for (let round = 0; round < 10 && (rs.plan ?? []).length > 0; round++) rs = runStage('zones', addEntries(rs, syntheticEvaluate(s, rs.plan ?? [])), options);
  return rs;
}

test('stage 1 plan is the full grid; output is just the plan until results arrive; halves merge', () => {
  const plan1 = runStage('zones', start(), { epochs: 10, repeats: 2 });
  assert.equal(plan1.stage_output, undefined);
  assert.equal(plan1.plan?.length, 13 * 7 * 2);
  // The survey runs at ⌈0.7 × epochs⌉ by default (measured: its ranking holds from there, see options.ts).
  assert.ok(plan1.plan?.every((p) => p.budget === 7 && p.attrs?.['zones.stage'] === 'zones'));
  const plan = plan1.plan ?? [];
  const s: Synthetic = { f: twoPeaks, sd: 0.0005 };
  // Two machines evaluate halves; merged, the stage completes.
  const a = addEntries(plan1, syntheticEvaluate(s, plan.slice(0, 91)));
  const b = addEntries(plan1, syntheticEvaluate(s, plan.slice(91)));
  const half = runStage('zones', a, { epochs: 10, repeats: 2 });
  assert.equal(half.plan?.length, 91);
  assert.equal(half.stage_output, undefined);
  const merged = parseResultSet(JSON.parse(serializeResultSet(mergeResultSets(a, b))));
  const done = runStage('zones', merged, { epochs: 10, repeats: 2 });
  assert.deepEqual(done.plan, []);
  assert.equal((done.stage_output as unknown as ZonesOutput).stage, 'zones');
});

test('two peaks + noise: both zones found, ranked, with extents', () => {
  const out = stageOne({ f: twoPeaks, sd: 0.0005 }, { epochs: 10, repeats: 2 }).stage_output as unknown as ZonesOutput;
  assert.equal(out.noise.source, 'repeats');
  assert.ok(out.zones.length >= 2, `zones: ${JSON.stringify(out.zones.map((z) => z.peak))}`);
  const [z1, z2] = out.zones;
  assert.deepEqual(z1?.peak, { units: 384, batch_size: 64 });
  assert.deepEqual(z2?.peak, { units: 4096, batch_size: 512 });
  assert.ok((z1?.value ?? 0) > (z2?.value ?? 1));
  assert.ok((z2?.prominence ?? 0) > 0.005);
  assert.ok(z1?.extent.some((p) => p.units === 384 && p.batch_size === 64));
  assert.ok(!z1?.extent.some((p) => p.units === 4096 && p.batch_size === 512), 'extents are separate');
  assert.deepEqual(out.gridBest.params, { units: 384, batch_size: 64 });
});

test('surfaces at earlier epochs come from the same runs (maxEpoch), and minimize works', () => {
  const rs = stageOne({ f: twoPeaks, sd: 0.0005 }, { epochs: 10, repeats: 2 });
  const early = analyzeZones(rs, { epochs: 10, repeats: 2, maxEpoch: 2 });
  assert.equal(early.epoch, 2);
  // At epoch 2 every value is lowered by the same ramp: same peaks.
  assert.deepEqual(early.zones[0]?.peak, { units: 384, batch_size: 64 });
  const neg: ResultSet = { ...rs, objective: { metric: 'loss', direction: 'minimize' }, entries: rs.entries.map((e) => ({ ...e, value: 1 - e.value })) };
  const min = analyzeZones(neg, { epochs: 10 });
  assert.deepEqual(min.zones[0]?.peak, { units: 384, batch_size: 64 });
  assert.deepEqual(min.zones[1]?.peak, { units: 4096, batch_size: 512 });
});

test('flat noisy surface: one zone, rarely a second, by noise-band reasoning', () => {
  // The best of 91 noisy means is biased upward, so a zone's extent (points within the pairwise
  // band of its peak) covers only part of a flat grid; a second zone appears only when noise alone
  // makes a peak stand out from its saddle by more than the band (seeds 1 and 4 of 6 here).
  let total = 0;
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    const out = stageOne({ f: () => 0.98, sd: 0.001 }, { epochs: 5, repeats: 2, seed }).stage_output as unknown as ZonesOutput;
    assert.ok(out.zones.length <= 2, `seed ${seed}: ${out.zones.length} zones`);
    assert.ok((out.zones[0]?.extent.length ?? 0) >= 3, `seed ${seed}: first zone covers ${out.zones[0]?.extent.length}`);
    total += out.zones.length;
  }
  assert.ok(total <= 9, `${total} zones over 6 flat surfaces`);
});

test('no zone from too few results, and no noise estimate without repeats or valSize', () => {
  const rs = start();
  const few = addEntries(rs, syntheticEvaluate({ f: twoPeaks, sd: 0 }, (runStage('zones', rs, { epochs: 3, repeatShare: 0 }).plan ?? []).slice(0, 2)));
  assert.throws(() => runStage('zones', few, { epochs: 3, partial: true, repeatShare: 0 }), (e: unknown) => isStageError(e) && /2 evaluated grid point/.test((e as Error).message));
  const one = stageOne({ f: twoPeaks, sd: 0.0005 }, { epochs: 3, noiseBand: 0.001, repeatShare: 0 });
  assert.throws(() => analyzeZones(one, { epochs: 3, repeatShare: 0 }), (e: unknown) => isStageError(e) && /valSize/.test((e as Error).message));
  // With the validation-set size the Wilson band applies, and the report says why it is only a fallback.
  const w = analyzeZones(one, { epochs: 3, valSize: 12_000, repeatShare: 0 });
  assert.equal(w.noise.source, 'wilson');
  assert.match(w.noise.note, /overstates/);
  assert.deepEqual(w.zones[0]?.peak, { units: 384, batch_size: 64 });
});

const runLine = (p: Omit<LineProblem, 'lookup'>, f: (x: number) => number, step: (l: LineProblem) => ReturnType<typeof goldenSearch>): { x: number; evals: number } => {
  const known = new Map<number, number>();
  for (let round = 0; round < 100; round++) {
    const s = step({ ...p, lookup: (x) => known.get(x) });
    if (s.done) {
      const best = [...s.evaluated].sort((a, b) => b.goodness - a.goodness)[0];
      return { x: best?.x ?? NaN, evals: known.size };
    }
    for (const x of s.pending) known.set(x, f(x));
  }
  throw new Error('line search did not finish');
};

test('golden-section converges on a smooth 1-D function', () => {
  const f = (x: number): number => -((x - 3.7) ** 2);
  const r = runLine({ lo: 0, hi: 10, start: 5, integer: false }, f, (l) => goldenSearch(l, 25));
  assert.ok(Math.abs(r.x - 3.7) < 1e-3, `x = ${r.x}`);
  assert.ok(r.evals <= 28);
  const ri = runLine({ lo: 64, hi: 256, start: 128, integer: true }, (x) => -Math.abs(x - 150), (l) => goldenSearch(l, 30));
  assert.ok(Math.abs(ri.x - 150) <= 1, `integer x = ${ri.x}`);
  assert.ok(Number.isInteger(ri.x));
});

test('parabola finds a quadratic vertex; split evaluates 8 parts', () => {
  const r = runLine({ lo: 0, hi: 10, start: 5, integer: false }, (x) => -((x - 3.7) ** 2), (l) => parabolaSearch(l, 4));
  assert.ok(Math.abs(r.x - 3.7) < 1e-9, `x = ${r.x}`);
  const s = splitSearch({ lo: 64, hi: 256, start: 128, integer: true, lookup: () => undefined }, 8);
  assert.deepEqual(s.pending, [64, 88, 112, 128, 136, 160, 184, 208, 232, 256]);
});

const schedBonus = (bonus: number) => (p: Params): number => twoPeaks(p) + (p.lr_schedule === 'step:7' ? bonus : 0);

for (const method of ['split', 'golden', 'parabola'] as const) {
  test(`full strategy with ${method}: clearly better schedules are confirmed over the plain grid`, async () => {
    const s: Synthetic = { f: schedBonus(0.004), sd: 0.0005 };
    const stagesSeen: string[] = [];
    const res = await runZoneStrategy(
      async (plan, stage) => {
        stagesSeen.push(stage);
        return syntheticEvaluate(s, plan, stage);
      },
      start(),
      { epochs: 6, repeats: 2, method, maxZones: 2, topK: 3, trainSize: 1000, testSize: 10_000 },
    );
    assert.deepEqual([...new Set(stagesSeen)], ['zones', 'refine', 'schedules', 'confirm']);
    const refine = res.documents.refine.stage_output as unknown as RefineOutput;
    assert.ok(refine.candidates.length >= 2);
    assert.ok(refine.candidates.every((c) => Number.isInteger(c.params.units) && Number.isInteger(c.params.batch_size)));
    // Refinement moves toward the true optimum (400, 64) from the grid peak (384, 64).
    assert.ok(refine.candidates.some((c) => c.zone === 2), 'the second zone is refined too');
    const out = res.final.stage_output as unknown as ConfirmOutput;
    assert.match(out.best, /lr_schedule=step:7/);
    assert.equal(out.improvement.significant, true, out.improvement.verdict);
    assert.match(out.improvement.verdict, /improved significantly/);
    assert.ok(out.configs.some((c) => c.baseline && c.params.lr_schedule === 'none'));
    type Run = { wilson: { low: number; high: number } | null; value: number };
    const inWilson = (r: Run): boolean => r.wilson !== null && r.wilson.low < r.value && r.value < r.wilson.high;
    assert.ok(out.configs.every((c) => c.testRuns.length === 5 && c.testRuns.every(inWilson)));
    assert.ok(res.final.entries.filter((e) => e.metrics.test_accuracy !== undefined).every((e) => e.stage === 'confirm'), 'only stage 4 reads test data');
    // Stage 4 shares its seeds across configurations: paired tests, against stage 3's pick (not chosen on these runs).
    assert.ok(out.comparisons.test?.every((x) => x.test.kind === 'paired'));
    assert.match(out.selectedBy, /stage 3/);
    assert.ok(out.descriptive.comparisons.every((x) => !x.significant && /descriptive/.test(x.verdict)));
    // Test intervals: the seed interval is conditional on the test set; the wider one adds its sampling error.
    assert.ok(out.configs.every((x) => x.testWithTestSet !== null && x.test !== null && x.testWithTestSet.halfWidth > x.test.halfWidth));
    // Each zone's best stage-3 configuration is confirmed, whatever its rank.
    const s3 = res.documents.schedules.stage_output as unknown as { ranking: { params: Params; candidate: number }[]; candidates: { zone: number }[] };
    for (const zone of new Set(s3.candidates.map((x) => x.zone))) {
      const top = s3.ranking.find((r) => s3.candidates[r.candidate - 1]?.zone === zone);
      assert.ok(top && out.configs.some((x) => JSON.stringify(x.params) === JSON.stringify(top.params)), `zone ${zone}'s best is confirmed`);
    }
    const c = res.final.compute ?? {};
    assert.equal(c.zones?.trials, 13 * 7 * 2);
    assert.equal(c.zones?.epochs, 13 * 7 * 2 * 5, 'the survey is ⌈0.7 × 6⌉ = 5 epochs');
    assert.equal(c.zones?.image_epochs, 13 * 7 * 2 * 5 * 1000);
    const sched = res.documents.schedules.stage_output as unknown as { surveyRank: { epoch: number; final: number; rho: number } | null };
    assert.equal(sched.surveyRank?.epoch, 5);
    assert.equal(sched.surveyRank?.final, 6);
    assert.ok(Number.isFinite(sched.surveyRank?.rho));
    assert.ok((c.confirm?.trials ?? 0) >= 15);
  });
}

test('confirm: differences within noise are reported as indistinguishable', async () => {
  const s: Synthetic = { f: schedBonus(0), sd: 0.003 };
  const res = await runZoneStrategy(async (plan, stage) => syntheticEvaluate(s, plan, stage), start(), { epochs: 4, noiseBand: 0.002, topK: 3, maxZones: 1 });
  const out = res.final.stage_output as unknown as ConfirmOutput;
  assert.equal(out.improvement.significant, false);
  assert.match(out.improvement.verdict, /did not improve/);
  assert.ok(out.comparisons.test?.every((c) => !c.significant && /indistinguishable within noise/.test(c.verdict)));
});

test('later stages refuse to run before earlier ones are complete', () => {
  const one = stageOne({ f: twoPeaks, sd: 0.0005 }, { epochs: 3, repeats: 2 });
  const refine = runStage('refine', one, { epochs: 3, repeats: 2 });
  assert.ok((refine.plan?.length ?? 0) > 0);
  assert.ok(refine.plan?.every((p) => p.attrs?.['zones.stage'] === 'refine'));
  assert.throws(() => runStage('schedules', one, { epochs: 3, repeats: 2 }), (e: unknown) => isStageError(e) && /`refine` is not complete/.test((e as Error).message));
  assert.throws(() => runStage('refine', start(), {}), isStageError);
});

test('surveyEpochs: stages 1–2 train for fewer epochs than stages 3–4', async () => {
  const s: Synthetic = { f: schedBonus(0.004), sd: 0.0005 };
  const budgets = new Map<string, Set<number | null>>();
  const res = await runZoneStrategy(
    async (plan, stage) => {
      for (const p of plan) budgets.set(stage, (budgets.get(stage) ?? new Set()).add(p.budget));
      return syntheticEvaluate(s, plan, stage);
    },
    start(),
    { epochs: 6, surveyEpochs: 3, repeats: 2, maxZones: 1, topK: 2, trainSize: 1000 },
  );
  assert.deepEqual([...(budgets.get('zones') ?? [])], [3]);
  assert.deepEqual([...(budgets.get('refine') ?? [])], [3]);
  assert.deepEqual([...(budgets.get('schedules') ?? [])], [6]);
  assert.deepEqual([...(budgets.get('confirm') ?? [])], [6]);
  const c = res.final.compute ?? {};
  assert.equal(c.zones?.epochs, 13 * 7 * 2 * 3);
  assert.match((res.final.stage_output as unknown as ConfirmOutput).best, /lr_schedule=step:7/);
});

test('spreadCandidates: far-apart points of a wide zone join the candidates', () => {
  const flat: Synthetic = { f: () => 0.98, sd: 0.0003 };
  const o = { epochs: 2, maxZones: 1, valSize: 12_000, spreadCandidates: 2, splitParts: 2, repeatShare: 0 };
  let rs = stageOne(flat, o);
  const zone = (rs.stage_output as unknown as ZonesOutput).zones[0];
  assert.ok(zone !== undefined && zone.extent.length > 50, 'a flat surface is one wide zone');
  for (let i = 0; i < 5; i++) {
    const r = runStage('refine', rs, o);
    if ((r.plan ?? []).length === 0) { rs = r; break; }
    rs = addEntries(r, syntheticEvaluate(flat, r.plan ?? []));
  }
  const out = rs.stage_output as unknown as RefineOutput;
  const spread = out.candidates.filter((c) => c.source === 'spread');
  assert.equal(spread.length, 2);
  const inExtent = new Set(zone.extent.map((p) => JSON.stringify([p.units, p.batch_size])));
  assert.ok(spread.every((c) => inExtent.has(JSON.stringify([c.params.units, c.params.batch_size]))));
  const keys = out.candidates.map((c) => JSON.stringify(c.params));
  assert.equal(new Set(keys).size, keys.length, 'no duplicates');
  // The first spread point is a far corner of the grid from the peak: at least half the grid's diagonal away.
  const unitsAxis = [128, 192, 256, 384, 512, 768, 1024, 1536, 2048, 3072, 4096, 6144, 8192];
  const batchAxis = [16, 32, 64, 128, 256, 512, 1024];
  const pos = (p: Params): [number, number] => [unitsAxis.indexOf(Number(p.units)) / 12, batchAxis.indexOf(Number(p.batch_size)) / 6];
  const [a, b] = [pos(zone.peak), pos((spread[0] as { params: Params }).params)];
  assert.ok(Math.hypot(a[0] - b[0], a[1] - b[1]) > Math.SQRT2 / 2, `peak ${JSON.stringify(zone.peak)} vs ${JSON.stringify(spread[0]?.params)}`);
  assert.equal(runStage('refine', rs, { ...o, spreadCandidates: 0 }).stage_output !== undefined, true);
  assert.equal(((runStage('refine', rs, { ...o, spreadCandidates: 0 }).stage_output as unknown as RefineOutput).candidates.filter((c) => c.source === 'spread')).length, 0);
});

test('default stage-1 plan: the grid plus a second seed on a fixed stratified fifth of it, spread over every row and column', () => {
  const plan = runStage('zones', start(), { epochs: 10 }).plan ?? [];
  const twice = new Map<string, number>();
  for (const p of plan) twice.set(JSON.stringify(p.params), (twice.get(JSON.stringify(p.params)) ?? 0) + 1);
  const repeated = [...twice.entries()].filter(([, n]) => n === 2).map(([k]) => JSON.parse(k) as Params);
  assert.equal(twice.size, 91);
  assert.ok(repeated.length >= 17 && repeated.length <= 20, `${repeated.length} repeated points`);
  for (const b of [16, 32, 64, 128, 256, 512, 1024]) assert.ok(repeated.filter((p) => p.batch_size === b).length >= 2, `batch ${b}`);
  for (const u of [128, 192, 256, 384, 512, 768, 1024, 1536, 2048, 3072, 4096, 6144, 8192]) assert.ok(repeated.some((p) => p.units === u), `units ${u}`);
  assert.equal(runStage('zones', start(), { epochs: 10, repeatShare: 0 }).plan?.length, 91);
  assert.equal(runStage('zones', start(), { epochs: 10, repeats: 3 }).plan?.length, 273);
});

test('noise from the study: seed sd with its chi-square interval and cost; per batch size when the data says so; peaks verified', () => {
  const out = stageOne({ f: twoPeaks, sd: 0.0005 }, { epochs: 4, seed: 3 }).stage_output as unknown as ZonesOutput;
  assert.equal(out.noise.source, 'repeats');
  assert.ok(out.noise.df >= 17 && out.noise.df <= 20);
  assert.ok((out.noise.sdLow ?? 1) < 0.0005 && 0.0005 < (out.noise.sdHigh ?? 0), out.noise.note);
  assert.equal(out.noise.extraRuns, out.noise.df);
  assert.ok(out.noise.verifyRuns <= out.zones.length);
  assert.equal(out.noise.byAxis, null, 'constant noise: one sd');
  assert.ok(out.zones.every((z) => z.n >= 2), 'every zone peak rests on two runs');
  assert.match(out.noise.note, /seed-to-seed sd .* CI .* 18 df|seed-to-seed sd/);
  // Small batches much noisier than large ones: the band follows batch size.
  const noisy: Synthetic = { f: () => 0.97, sd: 0 };
  let rs = runStage('zones', start(), { epochs: 3, seed: 5 });
  const sdAt = (b: number): number => 0.004 * (16 / b);
  const evalHet = (plans: readonly import('../../core/types.js').TrialPlan[]) =>
    syntheticEvaluate(noisy, plans).map((e, i) => {
      const d = sdAt(Number(e.params.batch_size)) * Math.sin(1e4 * (i + 1) * ((e.seed % 97) + 1)) * 1.4;
      return { ...e, value: e.value + d, steps: e.steps.map((st) => ({ ...st, metrics: { val_accuracy: (st.metrics.val_accuracy as number) + d } })) };
    });
  for (let round = 0; round < 10 && (rs.plan ?? []).length > 0; round++) rs = runStage('zones', addEntries(rs, evalHet(rs.plan ?? [])), { epochs: 3, seed: 5 });
  const h = rs.stage_output as unknown as ZonesOutput;
  assert.equal(h.noise.byAxis?.axis, 'batch_size', h.noise.note);
  const lv = h.noise.byAxis?.levels ?? [];
  assert.ok((lv[0]?.sd ?? 0) > 3 * (lv[lv.length - 1]?.sd ?? 1), h.noise.note);
});

test('zones across epochs: each zone says at which earlier epochs it is found again', () => {
  const out = stageOne({ f: twoPeaks, sd: 0.0005 }, { epochs: 10, surveyEpochs: 10 }).stage_output as unknown as ZonesOutput;
  assert.deepEqual(out.persistenceEpochs, [3, 5, 8]);
  // The synthetic curves rise alike everywhere, so both zones are there from epoch 3 on.
  assert.deepEqual(out.zones[0]?.persistsAt, [3, 5, 8]);
  assert.deepEqual(out.zones[1]?.persistsAt, [3, 5, 8]);
  const opts = { epochs: 10, surveyEpochs: 10 };
  const custom = analyzeZones(stageOne({ f: twoPeaks, sd: 0.0005 }, opts), { ...opts, persistenceEpochs: [1, 2, 20] });
  assert.deepEqual(custom.persistenceEpochs, [1, 2]);
});

test('every zone is worked: each zone keeps a candidate; a wide flat zone sends several spread candidates by default', async () => {
  const { keepEveryZone, spreadCount } = await import('./refine.js');
  const c = (zone: number, value: number): { params: Params; value: number; zone: number; source: string } => ({ params: { units: value }, value, zone, source: 'peak' });
  const ranked = [c(1, 9), c(1, 8), c(1, 7), c(2, 3)];
  assert.deepEqual(keepEveryZone(ranked, 2).map((x) => x.value), [9, 3]);
  assert.deepEqual(keepEveryZone(ranked, 3).map((x) => x.value), [9, 8, 3]);
  const zone = (n: number) => ({ rank: 1, peak: {}, value: 0, n: 1, prominence: null, extent: Array.from({ length: n }, () => ({})) });
  assert.deepEqual([3, 9, 10, 25, 64].map((n) => spreadCount(zone(n), 'auto')), [0, 0, 1, 2, 3]);
  assert.equal(spreadCount(zone(64), 1), 1);
  // A flat surface at the default settings: its wide zone goes on as several far-apart candidates.
  const flat: Synthetic = { f: () => 0.98, sd: 0.0003 };
  const o = { epochs: 2, maxZones: 1, splitParts: 2 };
  let rs = stageOne(flat, o);
  for (let i = 0; i < 5; i++) {
    const r = runStage('refine', rs, o);
    if ((r.plan ?? []).length === 0) { rs = r; break; }
    rs = addEntries(r, syntheticEvaluate(flat, r.plan ?? []));
  }
  const out = rs.stage_output as unknown as RefineOutput;
  const z = out.zones[0];
  assert.ok(z !== undefined);
  const spread = out.candidates.filter((x) => x.source === 'spread');
  assert.equal(spread.length, spreadCount(z, 'auto'));
  assert.ok(z.extent.length < 10 || spread.length >= 1, `extent ${z.extent.length}`);
});

test('a deterministic objective: repeats agree exactly, the band is 0 and every strict local maximum is a zone', () => {
  const out = stageOne({ f: twoPeaks, sd: 0 }, { epochs: 3 }).stage_output as unknown as ZonesOutput;
  assert.equal(out.noise.sd, 0);
  assert.match(out.noise.note, /deterministic/);
  assert.deepEqual(out.zones.slice(0, 2).map((z) => z.peak), [{ units: 384, batch_size: 64 }, { units: 4096, batch_size: 512 }]);
});
