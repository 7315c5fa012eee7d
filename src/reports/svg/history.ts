import { max, min } from 'd3-array';
import { bottomAxis, leftAxis } from './axes.js';
import { CATEGORICAL } from './color.js';
import { paramsText, showValue, type ReportData, type ReportTrial } from './data.js';
import { linearScale } from './scale.js';
import { niceDomain } from './ticks.js';
import { el, pathData, svgDocument, text, tooltip, type Chart } from './svg.js';

/** The objective value a pruned trial last reported (its curve's last value of the metric), or null. */
export function lastReported(t: ReportTrial, metric: string): number | null {
  for (let i = t.steps.length - 1; i >= 0; i--) {
    const v = t.steps[i]?.metrics[metric];
    if (v !== undefined && Number.isFinite(v)) return v;
  }
  return null;
}

/** Best-so-far values over trials in order (null until the first complete trial). */
export function bestSoFar(trials: readonly ReportTrial[], direction: 'maximize' | 'minimize'): (number | null)[] {
  let best: number | null = null;
  return trials.map((t) => {
    if (t.state === 'complete' && t.value !== null && Number.isFinite(t.value)) {
      if (best === null || (direction === 'maximize' ? t.value > best : t.value < best)) best = t.value;
    }
    return best;
  });
}

/**
 * Optimisation history: each complete trial's objective value in order (circles), the best-so-far line
 * (a step line), pruned trials at their last reported value (hollow triangles) and failed trials as
 * crosses on the bottom rail (they have no value). Waiting and running trials are not drawn.
 */
export function historyChart(data: ReportData, o: { id?: string; width?: number; height?: number } = {}): Chart | null {
  const id = o.id ?? 'history';
  const W = o.width ?? 760;
  const H = o.height ?? 380;
  const finished = data.trials.filter((t) => t.state === 'complete' || t.state === 'pruned' || t.state === 'failed');
  const complete = finished.filter((t) => t.state === 'complete' && t.value !== null && Number.isFinite(t.value));
  if (complete.length === 0) return null;
  const pruned = finished.filter((t) => t.state === 'pruned').map((t) => ({ t, v: lastReported(t, data.metric) }));
  const failed = finished.filter((t) => t.state === 'failed' || (t.state === 'pruned' && lastReported(t, data.metric) === null));
  const values = [...complete.map((t) => t.value as number), ...pruned.flatMap((p) => (p.v === null ? [] : [p.v]))];
  const M = { left: 78, right: 24, top: 48, bottom: 58 };
  const numbers = finished.map((t) => t.number);
  const [n0, n1] = [min(numbers) ?? NaN, max(numbers) ?? NaN];
  const xs = linearScale([n0 - 0.5, n1 + 0.5], [M.left, W - M.right]);
  const ys = linearScale(niceDomain(min(values) ?? NaN, max(values) ?? NaN, 5), [H - M.bottom, M.top]);
  const xTicks = xs.ticks(8).filter((v) => Number.isInteger(v)).map((v) => [v, String(v)] as const);
  const rail = H - M.bottom - 6;
  const r = complete.length > 300 ? 2 : 3.2;
  const what = data.order === 'trial' ? 'trial' : 'entry';

  const best = bestSoFar(finished, data.direction);
  const line: ([number, number] | null)[] = [];
  let prev: number | null = null;
  finished.forEach((t, i) => {
    const b = best[i] ?? null;
    if (b === null) return;
    const x = xs.map(t.number);
    if (prev !== null && prev !== b) line.push([x, ys.map(prev)]);
    line.push([x, ys.map(b)]);
    prev = b;
  });
  if (prev !== null) line.push([W - M.right, ys.map(prev)]);

  const dots = complete.map((t) =>
    el('circle', { class: 'mark complete', cx: xs.map(t.number), cy: ys.map(t.value as number), r, fill: CATEGORICAL[0], 'fill-opacity': 0.75 },
      tooltip(`${what} ${t.number}${t.stage ? ` (${t.stage})` : ''}: ${data.metric} = ${showValue(t.value as number)}; ${paramsText(t.params)}`)),
  );
  const tri = (x: number, y: number): string => `${x},${y - 4.5} ${x - 4.5},${y + 3.5} ${x + 4.5},${y + 3.5}`;
  const prunedMarks = pruned.filter((p) => p.v !== null).map(({ t, v }) =>
    el('polygon', { class: 'mark pruned', points: tri(xs.map(t.number), ys.map(v as number)), fill: 'none', stroke: CATEGORICAL[1], 'stroke-width': 1.4 },
      tooltip(`${what} ${t.number}: pruned at step ${t.steps[t.steps.length - 1]?.step ?? '?'}, last ${data.metric} = ${showValue(v as number)}; ${paramsText(t.params)}`)),
  );
  const cross = (x: number, y: number): string => `M${x - 4} ${y - 4}L${x + 4} ${y + 4}M${x - 4} ${y + 4}L${x + 4} ${y - 4}`;
  const failedMarks = failed.map((t) =>
    el('path', { class: 'mark failed', d: cross(Math.round(xs.map(t.number) * 100) / 100, rail), stroke: CATEGORICAL[2], 'stroke-width': 1.6, fill: 'none' },
      tooltip(`${what} ${t.number}: ${t.state === 'failed' ? 'failed' : 'pruned before reporting'} (no value); ${paramsText(t.params)}`)),
  );

  // Legend across the top.
  const legendItems: string[] = [];
  let lx = M.left;
  const item = (mark: string, label: string): void => {
    legendItems.push(mark, text(lx + 14, 24, label, { class: 'tick' }));
    lx += 24 + label.length * 6.2;
  };
  item(el('circle', { cx: lx + 5, cy: 20, r: 3.5, fill: CATEGORICAL[0] }), `complete (${complete.length})`);
  item(el('path', { d: `M${lx} 20L${lx + 11} 20`, stroke: '#222', 'stroke-width': 2 }), `best so far (${data.direction})`);
  if (pruned.some((p) => p.v !== null)) item(el('polygon', { points: tri(lx + 5, 20), fill: 'none', stroke: CATEGORICAL[1], 'stroke-width': 1.4 }), `pruned, last value (${pruned.filter((p) => p.v !== null).length})`);
  if (failed.length) item(el('path', { d: cross(lx + 5, 20), stroke: CATEGORICAL[2], 'stroke-width': 1.6 }), `failed (${failed.length})`);

  const body = [
    leftAxis({ scale: ys, at: M.left, gridTo: W - M.right, label: data.metric }),
    bottomAxis({ scale: xs, at: H - M.bottom, label: data.order === 'trial' ? 'trial number' : 'entry (in file order)', ticks: xTicks }),
    el('g', { class: 'marks' }, ...dots, ...prunedMarks, ...failedMarks),
    el('path', { class: 'best-line', d: pathData(line), fill: 'none', stroke: '#222', 'stroke-width': 2 }),
    el('g', { class: 'legend' }, ...legendItems),
  ].join('');
  const bestValue = best[best.length - 1];
  const title = `Optimisation history of ${data.metric}`;
  const desc = `${complete.length} complete, ${pruned.length} pruned and ${finished.filter((t) => t.state === 'failed').length} failed ${what === 'trial' ? 'trials' : 'entries'} in order; best ${data.metric} ${showValue(bestValue ?? NaN)} (${data.direction}).`;
  return {
    id,
    title,
    caption: `${desc} Hover a mark for its configuration.`,
    svg: svgDocument({ id, width: W, height: H, title, desc }, body),
  };
}
