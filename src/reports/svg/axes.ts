import type { Scale } from './scale.js';
import { truncate } from './escape.js';
import { el, text } from './svg.js';

/** Where an axis is drawn and with what ticks. */
export interface AxisOptions {
  /** The scale along the axis. */
  readonly scale: Scale;
  /** For a bottom axis, its y; for a left axis, its x. */
  readonly at: number;
  /** The other end of grid lines (top of the plot for a bottom axis, right edge for a left one); none when undefined. */
  readonly gridTo?: number;
  readonly label: string;
  /** Explicit ticks (value, label) instead of the scale's. */
  readonly ticks?: readonly (readonly [number, string])[];
  readonly tickCount?: number;
}

function tickList(o: AxisOptions): (readonly [number, string])[] {
  if (o.ticks) return [...o.ticks];
  return o.scale.ticks(o.tickCount).map((v) => [v, o.scale.format(v, o.tickCount)] as const);
}

/** A horizontal axis below a plot: line, ticks with labels, optional vertical grid lines, and the axis label centred below. */
export function bottomAxis(o: AxisOptions): string {
  const [x0, x1] = o.scale.range;
  const parts: string[] = [el('line', { class: 'axis', x1: x0, y1: o.at, x2: x1, y2: o.at })];
  for (const [v, s] of tickList(o)) {
    const x = o.scale.map(v);
    if (o.gridTo !== undefined) parts.push(el('line', { class: 'grid', x1: x, y1: o.gridTo, x2: x, y2: o.at }));
    parts.push(el('line', { class: 'axis', x1: x, y1: o.at, x2: x, y2: o.at + 5 }));
    parts.push(text(x, o.at + 17, s, { class: 'tick', 'text-anchor': 'middle' }));
  }
  parts.push(text((x0 + x1) / 2, o.at + 36, o.label, { class: 'label', 'text-anchor': 'middle' }));
  return el('g', { class: 'x-axis' }, ...parts);
}

/** Approximate width of one character of an 11 px tick label. */
const TICK_CHAR = 6.2;

/** The left margin a left axis needs for these tick labels and its rotated title (at least 60 px). */
export function leftAxisMargin(tickLabels: readonly string[]): number {
  const widest = Math.max(0, ...tickLabels.map((s) => s.length));
  return Math.max(60, Math.ceil(32 + widest * TICK_CHAR));
}

/**
 * A vertical axis left of a plot: line, ticks with labels, optional horizontal grid lines, and the axis label rotated.
 * The label keeps 14 px from the left edge (its glyphs extend ~12 px left of its anchor) and is cut to the plot's height.
 */
export function leftAxis(o: AxisOptions): string {
  const [y0, y1] = o.scale.range;
  const parts: string[] = [el('line', { class: 'axis', x1: o.at, y1: y0, x2: o.at, y2: y1 })];
  let widest = 0;
  for (const [v, s] of tickList(o)) {
    const y = o.scale.map(v);
    if (o.gridTo !== undefined) parts.push(el('line', { class: 'grid', x1: o.at, y1: y, x2: o.gridTo, y2: y }));
    parts.push(el('line', { class: 'axis', x1: o.at - 5, y1: y, x2: o.at, y2: y }));
    parts.push(text(o.at - 8, y + 4, s, { class: 'tick', 'text-anchor': 'end' }));
    widest = Math.max(widest, s.length);
  }
  const lx = Math.max(14, o.at - 14 - widest * TICK_CHAR);
  const ly = (y0 + y1) / 2;
  parts.push(text(lx, ly, truncate(o.label, Math.max(8, Math.floor(Math.abs(y1 - y0) / 6.8))), { class: 'label', 'text-anchor': 'middle', transform: `rotate(-90 ${Math.round(lx)} ${Math.round(ly)})` }));
  return el('g', { class: 'y-axis' }, ...parts);
}
