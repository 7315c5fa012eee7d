import type { Sampler } from '../samplers/sampler.js';
import type { Space } from '../space/space.js';
import type { Direction, Params, TrialRecord } from '../core/types.js';
import { formatParams } from './format.js';
import { formatValue } from './results.js';

/** A sampler that names the configuration it would return (e.g. `auto`: the best GP posterior mean among the best observed). */
interface Recommending {
  readonly name: string;
  returnedConfiguration(trials: readonly TrialRecord[], space: Space, direction: Direction): { params: Params } | null;
}

function recommends(s: Sampler): s is Sampler & Recommending {
  return typeof (s as Partial<Recommending>).returnedConfiguration === 'function';
}

const sameParams = (a: Params, b: Params): boolean => Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);

/**
 * One line naming the sampler's own choice when it has one and it differs from the best observed trial, with the
 * observed values behind it (mean of its complete trials); null otherwise. Noisy objectives make the luckiest
 * trial a poor pick; this says which configuration the strategy itself would keep.
 */
export function recommendedLine(
  sampler: Sampler,
  trials: readonly TrialRecord[],
  space: Space,
  direction: Direction,
  metric: string,
  best: TrialRecord | null,
): string | null {
  if (!recommends(sampler)) return null;
  const pick = sampler.returnedConfiguration(trials, space, direction);
  if (pick === null || (best !== null && sameParams(pick.params, best.params))) return null;
  const runs = trials.filter((t) => t.state === 'complete' && t.value !== null && sameParams(t.params, pick.params));
  const mean = runs.reduce((s, t) => s + (t.value as number), 0) / Math.max(runs.length, 1);
  const params = formatParams(pick.params);
  const nums = runs.map((t) => `#${t.number}`).join(', ');
  return `recommended by ${sampler.name}: ${params} → ${metric} = ${formatValue(mean)}${runs.length > 1 ? ` (mean of ${runs.length})` : ''}${nums ? ` [${nums}]` : ''} — the strategy's own pick, less exposed to one lucky noisy value than "best"`;
}
