import { HyperzoneError } from '../../core/errors.js';
import type { ResultEntry, ResultSet } from '../../results/resultset.js';
import { meanInterval, wilsonInterval, withTestSetError, type Interval, type MeanInterval, type TestSetInterval } from '../../stats/intervals.js';
import { compareAgainstBest, formatP, type Comparison, type LabelledSample } from '../../stats/verdict.js';
import type { Params, TrialPlan } from '../../core/types.js';
import { deriveSeed } from '../../core/rng.js';
import { bare, directionSign, entriesOf, missingPlans, needsResults, paramsKey, paramsLabel, stagePlan } from './common.js';
import { resolveZoneOptions, type ZoneOptions } from './options.js';
import { analyzeSchedules } from './schedules.js';
import { analyzeZones } from './zones.js';

/** One configuration confirmed over seeds. */
export interface ConfirmedConfig {
  readonly label: string;
  readonly params: Params;
  /** Its rank in stage 3 (1 = best), or null for the plain-grid baseline when it was not in the top k. */
  readonly scheduleRank: number | null;
  /** Whether it is the rerun of the plain grid's best. */
  readonly baseline: boolean;
  readonly validation: MeanInterval;
  /** Mean ± t interval over seeds of the test metric: conditional on this one test set. */
  readonly test: MeanInterval | null;
  /** The same mean with an interval that also covers the test set's own sampling error p(1−p)/N (null when not a proportion). */
  readonly testWithTestSet: TestSetInterval | null;
  /** Each run's test value with its Wilson interval on `testSize` examples (null when not a proportion). */
  readonly testRuns: readonly { readonly seed: number; readonly value: number; readonly wilson: Interval | null }[];
}

/** Stage 4's report. */
export interface ConfirmOutput {
  readonly stage: 'confirm';
  readonly metric: string;
  readonly testMetric: string;
  /** Configurations, best validation mean first. */
  readonly configs: readonly ConfirmedConfig[];
  /**
   * The selected configuration: stage 3's best (validation, runs that stage 4 does not reuse), so the tests
   * against it on stage 4's runs are free of selection bias. Test data never selects.
   */
  readonly best: string;
  /** How `best` was chosen, in words. */
  readonly selectedBy: string;
  /** Paired t-tests on stage 4's shared seeds (Welch where seeds differ) + Holm, against the selected one, on validation and (when present) test values. */
  readonly comparisons: { readonly validation: readonly Comparison[]; readonly test: readonly Comparison[] | null };
  /** Stage 4's best validation mean and its comparisons: chosen on the same runs, so descriptive only (no significance claimed). */
  readonly descriptive: { readonly best: string; readonly comparisons: readonly Comparison[] };
  /** Whether stages 2–4 beat the plain grid's best, judged on test values when present, else validation. */
  readonly improvement: {
    readonly baseline: string;
    readonly best: string;
    readonly significant: boolean;
    readonly pAdjusted: number | null;
    readonly verdict: string;
  };
  /** Plain-language verdicts, one per line. */
  readonly verdicts: readonly string[];
}

/** The configurations stage 4 confirms: stage 3's top k, each zone's best, and the plain grid's best rerun with the baseline schedule. */
export function confirmConfigs(rs: ResultSet, options: ZoneOptions = {}): { params: Params; scheduleRank: number | null; baseline: boolean }[] {
  const o = resolveZoneOptions(options);
  const s = analyzeSchedules(rs, o);
  if (s.output === null) {
    throw new HyperzoneError('STAGE_ERROR', `Stage \`schedules\` is not complete: ${s.plan.length} trial(s) of its plan are not evaluated; run \`stage schedules\`, evaluate its plan and merge first`);
  }
  // The top k of stage 3, and each zone's best even when it ranks lower: stage 4 compares across zones.
  const zoneOf = (r: { candidate: number }): number => s.output?.candidates[r.candidate - 1]?.zone ?? 0;
  const ranked = s.output.ranking.map((r, i) => ({ r, rank: i + 1 }));
  const zoneBest = new Map<number, (typeof ranked)[number]>();
  for (const x of ranked) if (!zoneBest.has(zoneOf(x.r))) zoneBest.set(zoneOf(x.r), x);
  const chosen = ranked.filter((x) => x.rank <= o.topK || zoneBest.get(zoneOf(x.r)) === x);
  const out: { params: Params; scheduleRank: number | null; baseline: boolean }[] = chosen.map((x) => ({
    params: x.r.params,
    scheduleRank: x.rank,
    baseline: false,
  }));
  const grid = analyzeZones(rs, o).gridBest.params;
  const baseline: Params = { ...grid, [o.scheduleParam]: o.baselineSchedule };
  const same = out.find((c) => paramsKey(c.params) === paramsKey(baseline));
  if (same) same.baseline = true;
  else out.push({ params: baseline, scheduleRank: null, baseline: true });
  return out;
}

/** Stage 4's analysis: the plan (configs × seeds, evaluate_test) and, once evaluated, the report. */
export function analyzeConfirm(rs: ResultSet, options: ZoneOptions = {}): { plan: TrialPlan[]; output: ConfirmOutput | null } {
  const o = resolveZoneOptions(options);
  const configs = confirmConfigs(rs, o);
  const seeds = Array.from({ length: o.confirmSeeds }, (_, i) => deriveSeed(o.seed, 'confirm', i));
  const plans = configs.flatMap((c) => seeds.map((seed) => stagePlan(c.params, seed, o.epochs, 'confirm', { evaluate_test: true })));
  const plan = missingPlans(rs, plans);
  if (plan.length > 0) return { plan, output: null };
  if (o.confirmSeeds < 2) throw new HyperzoneError('STAGE_ERROR', `Stage \`confirm\` needs \`confirmSeeds\` ≥ 2 to compare configurations, got ${o.confirmSeeds}`);

  const { metric, direction } = rs.objective;
  const entries = entriesOf(rs, ['confirm']);
  const seedSet = new Set(seeds);
  const runsOf = (p: Params): ResultEntry[] => entries.filter((e) => seedSet.has(e.seed) && e.budget === o.epochs && paramsKey(e.params) === paramsKey(p));
  const confirmed: ConfirmedConfig[] = configs.map((c) => {
    const runs = runsOf(c.params);
    const tests = runs.map((e) => e.metrics[o.testMetric]);
    const haveTest = tests.every((v): v is number => v !== undefined && Number.isFinite(v));
    const test = haveTest ? meanInterval(tests as number[], o.confidence) : null;
    return {
      label: paramsLabel(c.params),
      params: c.params,
      scheduleRank: c.scheduleRank,
      baseline: c.baseline,
      validation: meanInterval(runs.map((e) => e.value), o.confidence),
      test,
      testWithTestSet: test !== null && test.mean >= 0 && test.mean <= 1 && o.testSize !== undefined ? withTestSetError(test, o.testSize) : null,
      testRuns: haveTest
        ? runs.map((e) => {
            const v = e.metrics[o.testMetric] as number;
            return { seed: e.seed, value: v, wilson: v >= 0 && v <= 1 && o.testSize !== undefined ? wilsonInterval(v, o.testSize, o.confidence) : null };
          })
        : [],
    };
  });
  const sign = directionSign(direction);
  confirmed.sort((a, b) => sign * (b.validation.mean - a.validation.mean));
  // The reference is stage 3's best: chosen on stage 3's runs, which stage 4 does not reuse (its seeds are new).
  const best = confirmed.find((c) => c.scheduleRank === 1) ?? (confirmed[0] as ConfirmedConfig);
  const valSamples = (c: ConfirmedConfig): LabelledSample => {
    const runs = runsOf(c.params);
    return { label: c.label, values: runs.map((e) => e.value), seeds: runs.map((e) => e.seed) };
  };
  const valCmp = compareAgainstBest(confirmed.map(valSamples), direction, o.alpha, best.label, 'independent');
  const withTest = confirmed.every((c) => c.test !== null);
  const testCmp = withTest
    ? compareAgainstBest(confirmed.map((c) => ({ label: c.label, values: c.testRuns.map((r) => r.value), seeds: c.testRuns.map((r) => r.seed) })), direction, o.alpha, best.label, 'independent')
    : null;
  const descriptive = compareAgainstBest(confirmed.map(valSamples), direction, o.alpha);
  const baseline = confirmed.find((c) => c.baseline) as ConfirmedConfig;
  const family = testCmp ?? valCmp;
  const judged = testCmp ? o.testMetric : metric;
  let improvement: ConfirmOutput['improvement'];
  if (baseline === best) {
    improvement = { baseline: baseline.label, best: best.label, significant: false, pAdjusted: null, verdict: `Stages 2–4 did not improve on the plain grid's best: stage 3 selected the plain grid's best itself (${baseline.label})` };
  } else {
    const c = family.comparisons.find((x) => x.other === baseline.label) as Comparison;
    const better = c.significant && sign * c.test.meanDiff > 0;
    improvement = {
      baseline: baseline.label,
      best: best.label,
      significant: better,
      pAdjusted: c.pAdjusted,
      verdict: better
        ? `Stages 2–4 improved significantly on the plain grid's best (${judged}, Holm-adjusted p = ${formatP(c.pAdjusted)}): ${c.verdict}`
        : `Stages 2–4 did not improve significantly on the plain grid's best (${judged}): ${c.verdict}`,
    };
  }
  const selectedBy = `stage 3's best ${metric} (one run per candidate × schedule; stage 4's seeds are new, so the tests below are not biased by the selection)`;
  const verdicts = [
    `Selected on ${metric} in stage 3: ${best.label}`,
    ...family.comparisons.map((c) => `${judged}: ${c.verdict}`),
    improvement.verdict,
    ...(descriptive.best !== best.label ? [`Descriptive: stage 4's best ${metric} mean is ${descriptive.best}; it was picked on the same runs, so no test is claimed for it`] : []),
  ];
  return {
    plan: [],
    output: {
      stage: 'confirm',
      metric,
      testMetric: o.testMetric,
      configs: confirmed,
      best: best.label,
      selectedBy,
      comparisons: { validation: valCmp.comparisons, test: testCmp ? testCmp.comparisons : null },
      descriptive: { best: descriptive.best, comparisons: descriptive.comparisons },
      improvement,
      verdicts,
    },
  };
}

/**
 * Stage 4 `confirm`: stage 3's top k and the plain grid's best (rerun so it is compared fairly), each
 * over `confirmSeeds` new seeds with `evaluate_test: true` in attrs — the only stage whose trials
 * read test data. Returns the input plus `plan` while results are missing, else the input plus
 * `stage_output` (ConfirmOutput: mean ± CI, Wilson intervals, paired-or-Welch + Holm verdicts against stage 3's
 * pick) and an empty plan.
 */
export function confirmStage(rs: ResultSet, options: ZoneOptions = {}): ResultSet {
  const r = analyzeConfirm(rs, options);
  if (r.output === null) return needsResults(rs, r.plan);
  return { ...bare(rs), stage_output: { ...r.output }, plan: [] };
}
