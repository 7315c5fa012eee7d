import { max, min } from 'd3-array';
import { bottomAxis, leftAxis } from './axes.js';
import { CATEGORICAL } from './color.js';
import { paramsText, showValue, type ReportData, type ReportTrial } from './data.js';
import { truncate } from './escape.js';
import { linearScale } from './scale.js';
import { niceDomain } from './ticks.js';
import { el, pathData, svgDocument, text, tooltip, type Chart } from './svg.js';

/** The best `n` complete trials that reported the metric at some step, best first. */
export function bestWithCurves(data: ReportData, n: number): ReportTrial[] {
  const sign = data.direction === 'maximize' ? 1 : -1;
  return data.trials
    .filter((t) => t.state === 'complete' && t.value !== null && t.steps.some((s) => Number.isFinite(s.metrics[data.metric] ?? NaN)))
    .sort((a, b) => sign * ((b.value as number) - (a.value as number)) || a.number - b.number)
    .slice(0, n);
}

/** Most pruned trials' curves drawn (the latest ones); the legend says how many were left out. */
export const MAX_PRUNED_CURVES = 200;

/**
 * Learning curves: the objective metric at every step of the best `top` trials (by their objective value),
 * one coloured line each, ranked in a legend at the right, and behind them every pruned trial's curve in thin grey
 * (up to MAX_PRUNED_CURVES, the latest), ending in a cross at the step it was stopped. Null when no trial has per-step values.
 */
export function curvesChart(data: ReportData, o: { top?: number; id?: string; width?: number; height?: number } = {}): Chart | null {
  const id = o.id ?? 'curves';
  const top = o.top ?? 10;
  const trials = bestWithCurves(data, top);
  const curveOf = (t: ReportTrial): (readonly [number, number])[] =>
    t.steps.filter((s) => Number.isFinite(s.metrics[data.metric] ?? NaN)).map((s) => [s.step, s.metrics[data.metric] as number] as const);
  const prunedAll = data.trials.filter((t) => t.state === 'pruned' && curveOf(t).length > 0);
  const pruned = prunedAll.slice(-MAX_PRUNED_CURVES);
  if (trials.length === 0 && pruned.length === 0) return null;
  const W = o.width ?? 780;
  const legendRows = trials.length + (pruned.length ? 1 : 0);
  const H = o.height ?? Math.max(380, 70 + legendRows * 30);
  const M = { left: 78, right: 290, top: 30, bottom: 58 };
  const series = trials.map(curveOf);
  const prunedSeries = pruned.map(curveOf);
  const all = [...series.flat(), ...prunedSeries.flat()];
  const steps = all.map((p) => p[0]);
  const vals = all.map((p) => p[1]);
  const xs = linearScale(niceDomain(min(steps) ?? NaN, max(steps) ?? NaN, 8), [M.left, W - M.right]);
  const ys = linearScale(niceDomain(min(vals) ?? NaN, max(vals) ?? NaN, 6), [H - M.bottom, M.top]);
  const what = data.order === 'trial' ? 'trial' : 'entry';
  const lines: string[] = [];
  const legend: string[] = [];
  const greys = pruned.map((t, i) => {
    const pts = (prunedSeries[i] ?? []).map(([s, v]) => [xs.map(s), ys.map(v)] as [number, number]);
    const end = pts[pts.length - 1] as [number, number];
    const last = prunedSeries[i]?.[pts.length - 1];
    return el('g', { class: 'curve pruned' }, tooltip(`pruned ${what} ${t.number}: ${paramsText(t.params)}; stopped after step ${last?.[0]} at ${showValue(last?.[1])}`),
      el('path', { d: pathData(pts), fill: 'none', stroke: '#9a9a9a', 'stroke-width': 1, 'stroke-dasharray': '3 2', 'stroke-opacity': 0.8 }),
      el('path', { d: `M${end[0] - 3} ${end[1] - 3}L${end[0] + 3} ${end[1] + 3}M${end[0] - 3} ${end[1] + 3}L${end[0] + 3} ${end[1] - 3}`, stroke: '#7a7a7a', 'stroke-width': 1.2 }));
  });
  // Draw the best last so it sits on top.
  for (let i = trials.length - 1; i >= 0; i--) {
    const t = trials[i] as ReportTrial;
    const color = CATEGORICAL[i % CATEGORICAL.length] as string;
    const pts = (series[i] ?? []).map(([s, v]) => [xs.map(s), ys.map(v)] as [number, number]);
    const label = `#${i + 1} ${what} ${t.number}: ${paramsText(t.params)} → ${showValue(t.value as number)}`;
    lines.push(el('g', { class: 'curve' }, tooltip(label),
      el('path', { d: pathData(pts), fill: 'none', stroke: color, 'stroke-width': i === 0 ? 2.4 : 1.5, 'stroke-opacity': 0.9 }),
      pts.length === 1 ? el('circle', { cx: pts[0]?.[0], cy: pts[0]?.[1], r: 3, fill: color }) : ''));
  }
  trials.forEach((t, i) => {
    const y = M.top + 8 + i * 30;
    const color = CATEGORICAL[i % CATEGORICAL.length] as string;
    legend.push(el('line', { x1: W - M.right + 16, y1: y, x2: W - M.right + 34, y2: y, stroke: color, 'stroke-width': 3 }),
      text(W - M.right + 40, y + 4, truncate(`#${i + 1} ${what} ${t.number} → ${showValue(t.value as number)}`, 34), { class: 'tick' }),
      text(W - M.right + 40, y + 17, truncate(paramsText(t.params), 38), { class: 'note' }));
  });
  if (pruned.length) {
    const y = M.top + 8 + trials.length * 30;
    const left = prunedAll.length - pruned.length;
    legend.push(el('line', { x1: W - M.right + 16, y1: y, x2: W - M.right + 34, y2: y, stroke: '#9a9a9a', 'stroke-width': 1.5, 'stroke-dasharray': '3 2' }),
      text(W - M.right + 40, y + 4, `pruned: ${prunedAll.length} ${what === 'trial' ? 'trials' : 'entries'} (× where stopped)`, { class: 'tick' }),
      text(W - M.right + 40, y + 17, left > 0 ? `the latest ${pruned.length} drawn, ${left} left out` : 'grey, dashed, behind the best', { class: 'note' }));
  }
  const body = [
    leftAxis({ scale: ys, at: M.left, gridTo: W - M.right, label: data.metric }),
    bottomAxis({ scale: xs, at: H - M.bottom, gridTo: M.top, label: 'step (epoch)' }),
    el('g', { class: 'pruned-curves' }, ...greys),
    el('g', { class: 'curves' }, ...lines),
    el('g', { class: 'legend' }, ...legend),
  ].join('');
  const plural = what === 'trial' ? 'trials' : 'entries';
  const title = `Learning curves of the best ${trials.length} ${plural}${pruned.length ? ` and ${prunedAll.length} pruned` : ''}`;
  const desc = `${data.metric} at each step of the ${trials.length} best complete ${plural} with per-step metrics (${data.direction}); the best is drawn thickest${pruned.length ? `; pruned ${plural} in grey up to the step they were stopped` : ''}.`;
  return { id, title, caption: `${desc} Hover a line for its configuration.`, svg: svgDocument({ id, width: W, height: H, title, desc }, body) };
}
