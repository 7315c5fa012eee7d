import { max, min } from 'd3-array';
import type { ParamValue } from '../../core/types.js';
import { valueColorScale, type ValueColorScale } from './color.js';
import { isOrderedParam, paramNames, paramsText, showValue, type ReportData } from './data.js';
import { truncate } from './escape.js';
import { isLogAxis, linearScale, makeScale, type Scale } from './scale.js';
import { niceDomain } from './ticks.js';
import { el, pathData, svgDocument, text, tooltip, type Chart } from './svg.js';

/** The label of a missing value on a categorical axis (a trial without that param). */
export const ABSENT = '(absent)';

/** One vertical axis: numeric (linear or log) or categorical (values evenly spaced, in the space's order). */
interface PAxis {
  readonly name: string;
  readonly pos: (v: ParamValue | undefined) => number | null;
  /** Ticks as (pixel y, label). */
  readonly ticks: readonly (readonly [number, string])[];
}

/**
 * Parallel coordinates for more than two params: one vertical axis per param (log where the values call for
 * it; categories evenly spaced, with "(absent)" for trials that lack the param) and the objective last; one
 * line per complete trial coloured by its value (brighter is better), the best drawn on top. Null for two
 * params or fewer, or no complete trials.
 */
export function parallelChart(data: ReportData, o: { id?: string; width?: number; height?: number } = {}): Chart | null {
  const id = o.id ?? 'parallel';
  const names = paramNames(data);
  const trials = data.trials.filter((t) => t.state === 'complete' && t.value !== null && Number.isFinite(t.value));
  if (names.length <= 2 || trials.length === 0) return null;
  const W = o.width ?? Math.max(780, 100 + (names.length + 1) * 130);
  const H = o.height ?? 420;
  // The last axis is the objective and carries its own colour strip: no separate legend beside it to cover it.
  const M = { left: 60, right: 70, top: 50, bottom: 40 };
  const y0 = H - M.bottom;
  const y1 = M.top;
  const n = names.length + 1;
  const axX = (i: number): number => M.left + (i * (W - M.left - M.right)) / (n - 1);

  const axes: PAxis[] = names.map((name) => {
    const vals = trials.map((t) => t.params[name]);
    if (isOrderedParam(data, name) && vals.some((v) => typeof v === 'number')) {
      const nums = vals.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
      const log = isLogAxis(data.space[name], nums);
      const lo = min(nums) ?? NaN;
      const hi = max(nums) ?? NaN;
      const s: Scale = makeScale(log, log ? [lo, hi] : niceDomain(lo, hi, 5), [y0, y1]);
      const distinct = [...new Set(nums)].sort((a, b) => a - b);
      const ticks = distinct.length <= 8 ? distinct.map((v) => [s.map(v), showValue(v)] as const) : s.ticks(6).map((v) => [s.map(v), s.format(v, 6)] as const);
      return { name, pos: (v) => (typeof v === 'number' && Number.isFinite(v) ? s.map(v) : null), ticks };
    }
    const d = data.space[name];
    const order: string[] = d && d.type === 'categorical' ? d.choices.map(String) : [];
    for (const v of vals) if (v !== undefined && !order.includes(String(v))) order.push(String(v));
    if (vals.some((v) => v === undefined)) order.push(ABSENT);
    const step = order.length === 1 ? 0 : (y0 - y1) / (order.length - 1);
    const at = (k: string): number => (order.length === 1 ? (y0 + y1) / 2 : y0 - order.indexOf(k) * step);
    return { name, pos: (v) => at(v === undefined ? ABSENT : String(v)), ticks: order.map((k) => [at(k), k] as const) };
  });
  const colors = valueColorScale(trials.map((t) => t.value as number), data.direction);
  const vs = linearScale(niceDomain(colors.min, colors.max, 5), [y0, y1]);
  axes.push({ name: data.metric, pos: (v) => (typeof v === 'number' ? vs.map(v) : null), ticks: vs.ticks(6).map((v) => [vs.map(v), vs.format(v, 6)] as const) });

  const sorted = [...trials].sort((a, b) => colors.position(a.value as number) - colors.position(b.value as number));
  const what = data.order === 'trial' ? 'trial' : 'entry';
  const lines = sorted.map((t) => {
    const pts = axes.map((a, i) => {
      const y = i === axes.length - 1 ? a.pos(t.value as number) : a.pos(t.params[a.name]);
      return y === null ? null : ([axX(i), y] as [number, number]);
    });
    return el('path', { class: 'line', d: pathData(pts), fill: 'none', stroke: colors.color(t.value as number), 'stroke-width': 1.4, 'stroke-opacity': 0.75 },
      tooltip(`${what} ${t.number}: ${paramsText(t.params)} → ${data.metric} = ${showValue(t.value as number)}`));
  });
  const axisParts = axes.map((a, i) => {
    const x = axX(i);
    const ticks = a.ticks.map(([y, s]) => {
      return el('g', {}, el('line', { class: 'axis', x1: x - 4, y1: y, x2: x, y2: y }), text(x - 7, y + 4, truncate(s, 14), { class: 'tick', 'text-anchor': 'end', stroke: '#ffffff', 'stroke-width': 3, 'paint-order': 'stroke' }));
    });
    return el('g', { class: 'p-axis' }, el('line', { class: 'axis', x1: x, y1: y0, x2: x, y2: y1, 'stroke-width': 1.5 }), ...ticks,
      text(x, y1 - 16, truncate(a.name, 22), { class: 'label', 'text-anchor': 'middle', 'font-weight': i === axes.length - 1 ? 700 : 400 }));
  });
  const body = [
    el('g', { class: 'lines' }, ...lines),
    el('g', { class: 'axes' }, ...axisParts),
    valueStrip(colors, vs, axX(axes.length - 1) + 6, id),
  ].join('');
  const title = `Parallel coordinates: ${names.length} params and ${data.metric}`;
  const desc = `${trials.length} complete ${what === 'trial' ? 'trials' : 'entries'}, one line each across ${names.join(', ')} and ${data.metric}, coloured by ${data.metric} (brighter is better, ${data.direction}).`;
  return { id, title, caption: `${desc} Hover a line for its configuration.`, svg: svgDocument({ id, width: W, height: H, title, desc }, body) };
}

/**
 * The colour key of the objective axis: a strip just right of it from the worst to the best value, each stop at its
 * value's height, so the axis's own ticks read the colours (and nothing sits over the last axis).
 */
function valueStrip(colors: ValueColorScale, axis: Scale, x: number, id: string): string {
  const gid = `${id}-strip`;
  const y0 = axis.map(colors.min);
  const y1 = axis.map(colors.max);
  const stops = Array.from({ length: 9 }, (_, i) => {
    const v = colors.min + ((colors.max - colors.min) * i) / 8;
    return el('stop', { offset: `${Math.round((i / 8) * 100)}%`, 'stop-color': colors.color(v) });
  });
  // Offset 0% at y0 (the minimum) whichever way the axis runs.
  const grad = el('linearGradient', { id: gid, gradientUnits: 'userSpaceOnUse', x1: 0, y1: y0, x2: 0, y2: y1 === y0 ? y0 - 1 : y1 }, ...stops);
  return el('g', { class: 'legend value-strip' }, el('defs', {}, grad),
    el('rect', { x, y: Math.min(y0, y1), width: 8, height: Math.max(2, Math.abs(y1 - y0)), fill: `url(#${gid})`, stroke: '#666666', 'stroke-width': 0.5 }),
    text(x + 12, Math.min(y0, y1) + 4, colors.direction === 'maximize' ? 'best' : 'worst', { class: 'note' }),
    text(x + 12, Math.max(y0, y1) + 4, colors.direction === 'maximize' ? 'worst' : 'best', { class: 'note' }));
}
