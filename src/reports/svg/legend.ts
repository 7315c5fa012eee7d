import { viridis, type ValueColorScale } from './color.js';
import { linearScale } from './scale.js';
import { el, text } from './svg.js';

/**
 * A vertical colour bar for a value colour scale at (x, y), `height` tall: the gradient runs from the worst
 * value (bottom) to the best (top), with nice ticks in data values and a label saying which end is better.
 * `idPrefix` keeps the gradient's id unique when several charts share one HTML page.
 */
export function colorLegend(o: { scale: ValueColorScale; x: number; y: number; height: number; label: string; idPrefix: string }): string {
  const { scale } = o;
  const gid = `${o.idPrefix}-ramp`;
  // 17 stops of d3's viridis: the gradient between them (in RGB) stays within a shade of the ramp the cells use.
  const stops = Array.from({ length: 17 }, (_, i) => el('stop', { offset: `${(i / 16) * 100}%`, 'stop-color': viridis(i / 16) }));
  // y2 at the top: offset 0% (worst) at the bottom, 100% (best) at the top.
  const grad = el('linearGradient', { id: gid, x1: 0, y1: 1, x2: 0, y2: 0 }, ...stops);
  const w = 14;
  // Data values → y: the best end at the top for either direction.
  const worst = scale.direction === 'maximize' ? scale.min : scale.max;
  const best = scale.direction === 'maximize' ? scale.max : scale.min;
  const ys = linearScale([worst, best], [o.y + o.height, o.y]);
  const lo = Math.min(scale.min, scale.max);
  const hi = Math.max(scale.min, scale.max);
  const ticks = scale.min === scale.max ? [scale.min] : ys.ticks(5).filter((v) => v >= lo - 1e-12 && v <= hi + 1e-12);
  const parts = [
    el('defs', {}, grad),
    el('rect', { x: o.x, y: o.y, width: w, height: o.height, fill: `url(#${gid})`, stroke: '#666', 'stroke-width': 0.5 }),
    ...ticks.flatMap((v) => [
      el('line', { class: 'axis', x1: o.x + w, y1: ys.map(v), x2: o.x + w + 4, y2: ys.map(v) }),
      text(o.x + w + 7, ys.map(v) + 4, ys.format(v), { class: 'tick' }),
    ]),
    text(o.x, o.y - 22, o.label, { class: 'label' }),
    text(o.x, o.y - 8, `better ↑ (${scale.direction})`, { class: 'note' }),
  ];
  return el('g', { class: 'legend' }, ...parts);
}
