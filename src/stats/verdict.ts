import type { Direction } from '../core/types.js';
import { holmAdjust, pairedTTest, welchTTest, type TTestResult } from './tests.js';
import { mean } from './intervals.js';

/** A labelled sample of repeated measurements (one configuration over seeds). */
export interface LabelledSample {
  readonly label: string;
  readonly values: readonly number[];
  /** The seed of each value; when two samples have the same seeds, they are compared pairwise on them. */
  readonly seeds?: readonly number[] | undefined;
}

/** One comparison of the reference configuration against another. */
export interface Comparison {
  readonly best: string;
  readonly other: string;
  /** The t-test used: paired on shared seeds, else Welch. */
  readonly test: TTestResult;
  /** Holm-adjusted p-value within the family of comparisons against the reference. */
  readonly pAdjusted: number;
  /** Whether the two differ significantly after Holm correction (adjusted p ≤ alpha); false for descriptive ones. */
  readonly significant: boolean;
  /** Plain-language verdict. */
  readonly verdict: string;
}

/** How the reference of a family was chosen, which decides whether its p-values are tests. */
export type ReferenceChoice =
  /** Chosen on other runs (e.g. stage 3, or a disjoint set of seeds): the comparisons are confirmatory tests. */
  | 'independent'
  /** Chosen as the best mean of these very runs: the p-values are biased low (selection), so they are descriptive only. */
  | 'same-runs';

/** The plain-language verdict: "X is better than Y" only when significant, else "indistinguishable within noise". */
export function verdictText(x: string, y: string, pAdjusted: number, alpha = 0.05, kind: TTestResult['kind'] = 'welch'): string {
  const p = formatP(pAdjusted);
  const how = kind === 'paired' ? 'paired t-test on shared seeds' : "Welch's t-test";
  return pAdjusted <= alpha
    ? `${x} is better than ${y} (${how}, Holm-adjusted p = ${p} ≤ ${alpha})`
    : `${x} and ${y} are indistinguishable within noise (${how}, Holm-adjusted p = ${p} > ${alpha})`;
}

/** Formats a p-value for reports (3 significant digits, "< 1e-6" for tiny ones). */
export function formatP(p: number): string {
  return p < 1e-6 ? '< 1e-6' : p.toPrecision(3);
}

/** Pairs two samples on their shared seeds: both values in seed order when their seed sets are equal, else null. */
export function pairOnSeeds(a: LabelledSample, b: LabelledSample): [number[], number[]] | null {
  if (!a.seeds || !b.seeds || a.seeds.length !== a.values.length || b.seeds.length !== b.values.length) return null;
  const ia = new Map(a.seeds.map((s, i) => [s, a.values[i] as number]));
  const ib = new Map(b.seeds.map((s, i) => [s, b.values[i] as number]));
  if (ia.size !== a.seeds.length || ib.size !== b.seeds.length || ia.size !== ib.size) return null;
  const seeds = [...ia.keys()].sort((x, y) => x - y);
  if (!seeds.every((s) => ib.has(s))) return null;
  return [seeds.map((s) => ia.get(s) as number), seeds.map((s) => ib.get(s) as number)];
}

/** The right two-sided t-test for two samples: paired when they share their seeds, Welch otherwise. */
export function compareSamples(a: LabelledSample, b: LabelledSample): TTestResult {
  const paired = pairOnSeeds(a, b);
  return paired ? pairedTTest(paired[0], paired[1]) : welchTTest(a.values, b.values);
}

/**
 * Compares the reference sample (by default the one with the best mean in `direction`) against every
 * other: a paired t-test where the two share seeds, else Welch's; Holm-corrected across the family; significant
 * when the adjusted p ≤ alpha (statsmodels' rule). A verdict names a winner only when significant. With
 * `choice: 'same-runs'` (the default when no reference is given: it is picked on these runs) the p-values are
 * selection-biased, so nothing is called significant and each verdict says it is descriptive.
 */
export function compareAgainstBest(
  samples: readonly LabelledSample[],
  direction: Direction,
  alpha = 0.05,
  reference?: string,
  choice: ReferenceChoice = reference === undefined ? 'same-runs' : 'independent',
): { best: string; comparisons: Comparison[]; choice: ReferenceChoice } {
  if (samples.length === 0) return { best: '', comparisons: [], choice };
  const sign = direction === 'maximize' ? 1 : -1;
  let best = samples[0] as LabelledSample;
  if (reference !== undefined) best = samples.find((s) => s.label === reference) ?? best;
  else for (const s of samples) if (sign * mean(s.values) > sign * mean(best.values)) best = s;
  const others = samples.filter((s) => s !== best);
  const tests = others.map((o) => compareSamples(best, o));
  const adjusted = holmAdjust(tests.map((t) => t.p));
  const comparisons = others.map((o, i) => {
    const pAdjusted = adjusted[i] as number;
    const test = tests[i] as TTestResult;
    const bestWins = sign * test.meanDiff >= 0;
    const [x, y] = bestWins ? [best.label, o.label] : [o.label, best.label];
    if (choice === 'same-runs') {
      const what = test.meanDiff === 0 ? `${x} and ${y} have equal means` : `${x} has the better mean than ${y}`;
      return { best: best.label, other: o.label, test, pAdjusted, significant: false, verdict: `${what} (descriptive: the reference was chosen on these runs; nominal Holm-adjusted p = ${formatP(pAdjusted)})` };
    }
    const significant = pAdjusted <= alpha;
    return { best: best.label, other: o.label, test, pAdjusted, significant, verdict: verdictText(x, y, pAdjusted, alpha, test.kind) };
  });
  return { best: best.label, comparisons, choice };
}
