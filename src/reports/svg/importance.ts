import type { ParamValue } from '../../core/types.js';
import { importance, type ImportanceAxis } from '../../stats/importance.js';
import { CATEGORICAL } from './color.js';
import { isOrderedParam, paramNames, type ReportData } from './data.js';
import { truncate } from './escape.js';
import { axisCells, cellIndex, isGridAxis } from './heatmap.js';
import { isLogAxis } from './scale.js';
import { el, svgDocument, text, tooltip, type Chart } from './svg.js';

/** How a param's values group for importance: a group per grid value, equal bins (about 4 trials each) for a continuous param, each category for the rest. */
export function groupingOf(data: ReportData, name: string, values: readonly (ParamValue | undefined)[]): ImportanceAxis | null {
  const nums = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (isOrderedParam(data, name) && nums.length > 0) {
    // A continuous param (TPE, random) gets equal bins of about 4 trials each: a group per distinct value would explain
    // all the variance (η² = 1) whatever the param does.
    const grid = isGridAxis(data.space[name], nums);
    const log = isLogAxis(data.space[name], nums);
    const cells = grid ? axisCells(nums, log) : axisCells(nums, log, 0, Math.max(2, Math.min(10, Math.floor(nums.length / 4))));
    return { param: name, positions: cells.centres, cellOf: (v) => (typeof v === 'number' ? cellIndex(cells, v) : -1) };
  }
  const cats = [...new Set(values.filter((v) => v !== undefined).map(String))];
  if (cats.length === 0) return null;
  return { param: name, positions: cats.map((_, i) => i), cellOf: (v) => (v === undefined ? -1 : cats.indexOf(String(v))) };
}

/**
 * Parameter importance: the share of the objective's variance each param explains alone (ε², stats/importance, the
 * numbers the dashboard shows), one bar each, largest first. Null with fewer than 4 complete trials, or no variance.
 */
export function importanceChart(data: ReportData, o: { id?: string; width?: number } = {}): Chart | null {
  const id = o.id ?? 'importance';
  const done = data.trials.filter((t) => t.state === 'complete' && t.value !== null && Number.isFinite(t.value));
  if (done.length < 4) return null;
  const axes = paramNames(data)
    .map((n) => groupingOf(data, n, done.map((t) => t.params[n])))
    .filter((a): a is ImportanceAxis => a !== null && a.positions.length > 1);
  if (axes.length === 0) return null;
  const r = importance(done, axes);
  if (r.params.every((p) => p.share === 0)) return null;
  const W = o.width ?? 780;
  const rowH = 30;
  const top = 30;
  const H = top + r.params.length * rowH + 56;
  const left = 190;
  const right = 130;
  const bw = (share: number): number => share * (W - left - right);
  const parts: string[] = [];
  for (const g of [0, 0.25, 0.5, 0.75, 1]) {
    const x = left + bw(g);
    parts.push(el('line', { class: 'grid', x1: x, y1: top - 6, x2: x, y2: top + r.params.length * rowH }), text(x, top + r.params.length * rowH + 16, `${g * 100}%`, { class: 'tick', 'text-anchor': 'middle' }));
  }
  r.params.forEach((p, i) => {
    const y = top + i * rowH;
    const pct = `${(p.share * 100).toFixed(1)}%`;
    parts.push(el('g', { class: 'bar' }, tooltip(`${p.param}: ${pct} of the variance of ${data.metric} between its ${p.cells} groups, adjusted for their number (ε²; unadjusted η² ${(p.eta2 * 100).toFixed(1)}%; over ${r.trials} complete trials)`),
      text(left - 10, y + rowH / 2 + 4, truncate(p.param, 28), { class: 'label', 'text-anchor': 'end' }),
      el('rect', { x: left, y: y + 6, width: Math.max(1, bw(p.share)), height: rowH - 12, fill: CATEGORICAL[0] }),
      text(left + bw(p.share) + 6, y + rowH / 2 + 4, `${pct} (${p.cells} groups)`, { class: 'tick' })));
  });
  parts.push(text(left + (W - left - right) / 2, top + r.params.length * rowH + 36, `share of the variance of ${data.metric} explained by the param alone (ε², η² adjusted for the number of groups)`, { class: 'label', 'text-anchor': 'middle' }));
  const title = 'Parameter importance';
  const desc = `Main effects (ε²) over ${r.trials} complete ${data.order === 'trial' ? 'trials' : 'entries'}: each param's groups (grid values, bins of about 4 trials for continuous params, or categories) and the share of ${data.metric}'s variance their means explain, adjusted for the number of groups (ε²; the raw η² grows with the groups whatever the param does).`;
  const caption = `${desc} Interactions are not split out: it describes these trials, it is not a model's prediction. The dashboard uses the same function (stats/importance.ts).`;
  return { id, title, caption, svg: svgDocument({ id, width: W, height: H, title, desc }, parts.join('')) };
}
