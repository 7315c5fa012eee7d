import type { Direction, Params } from '../core/types.js';
import { paramsKey } from '../core/keys.js';
import { InputError } from '../core/errors.js';

/** A finished evaluation of a configuration on one task (`group`: the study or task it belongs to). */
export interface PortfolioTrial {
  readonly params: Params;
  readonly value: number;
  readonly group: string;
}

/** A warm-start portfolio: configurations in the order a new study should try them. */
export interface Portfolio {
  readonly params: readonly Params[];
  /** Tasks (groups) and distinct candidate configurations it was chosen from. */
  readonly groups: number;
  readonly candidates: number;
  /** Candidates evaluated on two or more tasks (the rest count only on their own task). */
  readonly shared: number;
  /** Mean over the tasks of the normalised regret of the portfolio's best member, after each member (in-sample). */
  readonly regret: readonly number[];
}

/**
 * Greedy portfolio (Wistuba et al. 2015; Pfisterer et al. 2018, "Learning multiple defaults"): `score[c][t]` is
 * candidate c's normalised quality on task t in [0, 1] (1 the task's best, NaN not evaluated, counted as 0). Each step
 * adds the candidate that most lowers the mean over tasks of 1 − (best member's score), so later members cover the
 * tasks the earlier ones serve badly. Ties go to the lower index. Returns the chosen indices and the mean regret
 * after each.
 */
export function greedyPortfolio(score: readonly (readonly number[])[], size: number): { chosen: number[]; regret: number[] } {
  if (!Number.isInteger(size) || size < 1) throw new InputError(`Expected the portfolio size to be an integer ≥ 1, got ${size}`);
  const tasks = score[0]?.length ?? 0;
  const covered = new Array<number>(tasks).fill(0);
  const chosen: number[] = [];
  const regret: number[] = [];
  const taken = new Set<number>();
  const s = (c: number, t: number): number => {
    const v = (score[c] as readonly number[])[t] as number;
    return Number.isFinite(v) ? v : 0;
  };
  while (chosen.length < Math.min(size, score.length)) {
    let best = -1;
    let bestGain = -Infinity;
    for (let c = 0; c < score.length; c++) {
      if (taken.has(c)) continue;
      let gain = 0;
      for (let t = 0; t < tasks; t++) gain += Math.max(0, s(c, t) - (covered[t] as number));
      if (gain > bestGain + 1e-12) { bestGain = gain; best = c; }
    }
    taken.add(best);
    chosen.push(best);
    for (let t = 0; t < tasks; t++) covered[t] = Math.max(covered[t] as number, s(best, t));
    regret.push(tasks === 0 ? 0 : covered.reduce((sum, v) => sum + (1 - v), 0) / tasks);
  }
  return { chosen, regret };
}

/**
 * The portfolio of `size` configurations from finished trials of earlier studies. Each task's values (a
 * configuration's repeats averaged) are scaled to [0, 1] between the task's worst and best, in the study's
 * direction; a configuration not evaluated on a task counts as that task's worst there, so when no configuration is
 * shared between tasks the greedy picks good configurations of different tasks in turn, and when the same
 * configurations were run on every task (as LCBench and the FCNet tables were made) it picks the set that is best
 * across them. Needs trials of at least two tasks.
 */
export function portfolioFromTrials(trials: readonly PortfolioTrial[], direction: Direction, size: number): Portfolio {
  const sign = direction === 'maximize' ? 1 : -1;
  const groups = [...new Set(trials.filter((t) => Number.isFinite(t.value)).map((t) => t.group))].sort();
  if (groups.length < 2) throw new InputError(`Expected finished trials of at least two tasks (groups) for a portfolio, got ${groups.length}`);
  const gIndex = new Map(groups.map((g, i) => [g, i]));
  const keys = new Map<string, number>();
  const params: Params[] = [];
  const sums: Map<number, { sum: number; n: number }>[] = [];
  for (const t of trials) {
    if (!Number.isFinite(t.value)) continue;
    const k = paramsKey(t.params);
    let c = keys.get(k);
    if (c === undefined) {
      c = params.length;
      keys.set(k, c);
      params.push(t.params);
      sums.push(new Map());
    }
    const g = gIndex.get(t.group) as number;
    const cell = (sums[c] as Map<number, { sum: number; n: number }>).get(g) ?? { sum: 0, n: 0 };
    cell.sum += sign * t.value;
    cell.n++;
    (sums[c] as Map<number, { sum: number; n: number }>).set(g, cell);
  }
  const raw = sums.map((m) => groups.map((_, g) => { const cell = m.get(g); return cell ? cell.sum / cell.n : NaN; }));
  // Each task's worst and best (a loop, not Math.min(...xs): studies can hold more trials than a call has arguments).
  const lo = groups.map(() => Infinity);
  const hi = groups.map(() => -Infinity);
  for (const r of raw) {
    r.forEach((v, g) => {
      if (!Number.isFinite(v)) return;
      if (v < (lo[g] as number)) lo[g] = v;
      if (v > (hi[g] as number)) hi[g] = v;
    });
  }
  const score = raw.map((r) => r.map((v, g) => {
    if (!Number.isFinite(v)) return NaN;
    const span = (hi[g] as number) - (lo[g] as number);
    return span > 0 ? (v - (lo[g] as number)) / span : 1;
  }));
  const { chosen, regret } = greedyPortfolio(score, size);
  return {
    params: chosen.map((c) => params[c] as Params),
    groups: groups.length,
    candidates: params.length,
    shared: sums.filter((m) => m.size >= 2).length,
    regret,
  };
}
