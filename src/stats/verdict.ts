import type { Direction } from '../study/types.js';
import { holmAdjust, welchTTest, type WelchResult } from './tests.js';
import { mean } from './intervals.js';

/** A labelled sample of repeated measurements (one configuration over seeds). */
export interface LabelledSample {
  readonly label: string;
  readonly values: readonly number[];
}

/** One comparison of the best configuration against another. */
export interface Comparison {
  readonly best: string;
  readonly other: string;
  readonly welch: WelchResult;
  /** Holm-adjusted p-value within the family of comparisons against the best. */
  readonly pAdjusted: number;
  /** Whether the best is significantly better after Holm correction. */
  readonly significant: boolean;
  /** Plain-language verdict. */
  readonly verdict: string;
}

/** The plain-language verdict: "X is better than Y" only when significant, else "indistinguishable within noise". */
export function verdictText(x: string, y: string, pAdjusted: number, alpha = 0.05): string {
  const p = formatP(pAdjusted);
  return pAdjusted < alpha
    ? `${x} is better than ${y} (Holm-adjusted p = ${p} < ${alpha})`
    : `${x} and ${y} are indistinguishable within noise (Holm-adjusted p = ${p} ≥ ${alpha})`;
}

/** Formats a p-value for reports (3 significant digits, "< 1e-6" for tiny ones). */
export function formatP(p: number): string {
  return p < 1e-6 ? '< 1e-6' : p.toPrecision(3);
}

/**
 * Compares the reference sample (by default the one with the best mean in `direction`) against every
 * other by Welch's t-test, Holm-corrected across the family. A verdict names a winner only when the
 * adjusted p-value is below `alpha`; the winner is whichever has the better mean.
 */
export function compareAgainstBest(
  samples: readonly LabelledSample[],
  direction: Direction,
  alpha = 0.05,
  reference?: string,
): { best: string; comparisons: Comparison[] } {
  if (samples.length === 0) return { best: '', comparisons: [] };
  const sign = direction === 'maximize' ? 1 : -1;
  let best = samples[0] as LabelledSample;
  if (reference !== undefined) best = samples.find((s) => s.label === reference) ?? best;
  else for (const s of samples) if (sign * mean(s.values) > sign * mean(best.values)) best = s;
  const others = samples.filter((s) => s !== best);
  const tests = others.map((o) => welchTTest(best.values, o.values));
  const adjusted = holmAdjust(tests.map((t) => t.p));
  const comparisons = others.map((o, i) => {
    const pAdjusted = adjusted[i] as number;
    const welch = tests[i] as WelchResult;
    const significant = pAdjusted < alpha;
    const bestWins = sign * welch.meanDiff >= 0;
    const verdict = bestWins ? verdictText(best.label, o.label, pAdjusted, alpha) : verdictText(o.label, best.label, pAdjusted, alpha);
    return { best: best.label, other: o.label, welch, pAdjusted, significant, verdict };
  });
  return { best: best.label, comparisons };
}
