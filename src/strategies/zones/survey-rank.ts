import type { ResultEntry } from '../../results/resultset.js';
import { spearman } from '../../stats/rank.js';
import type { Direction } from '../../core/types.js';
import { collectPoints, valueAt } from './common.js';

/** How well the ranking of configurations at an earlier epoch predicts the ranking at the final one. */
export interface RankHolding {
  readonly epoch: number;
  readonly final: number;
  /** Spearman's ρ between each configuration's mean best-so-far value at `epoch` and at `final`. */
  readonly rho: number;
  /** Configurations behind ρ (those whose runs stored per-epoch metrics up to `final`). */
  readonly configs: number;
}

/**
 * Spearman's ρ between the ranking at each of `epochs` and at `final`, over the configurations whose runs reached
 * `final` with per-epoch metrics (mean over their seeds of the best value so far). This measures whether a short
 * survey's ranking holds: stage 3's full-budget runs give it for every zone study, and any stored grid with
 * curves gives it for the whole space. Epochs with fewer than 3 configurations are left out.
 */
export function rankHolding(entries: readonly ResultEntry[], metric: string, direction: Direction, epochs: readonly number[], final: number): RankHolding[] {
  const full = entries.filter((e) => e.steps.some((s) => s.step >= final));
  const at = (e: number) => collectPoints(full, (x) => valueAt(x, metric, direction, e), direction);
  const last = new Map(at(final).map((p) => [p.key, p.goodness]));
  const out: RankHolding[] = [];
  for (const e of epochs) {
    if (e >= final) continue;
    const pts = at(e).filter((p) => last.has(p.key));
    if (pts.length < 3) continue;
    const rho = spearman(pts.map((p) => p.goodness), pts.map((p) => last.get(p.key) as number));
    out.push({ epoch: e, final, rho, configs: pts.length });
  }
  return out;
}
