import type { Zone } from '../../strategies/zones/options.js';
import type { Params } from '../../core/types.js';
import { bottomAxis, leftAxis } from './axes.js';
import { textColorOn, valueColorScale } from './color.js';
import { paramsText, showValue, type ReportData } from './data.js';
import { truncate } from './escape.js';
import { colorLegend } from './legend.js';
import { isLogAxis, makeScale } from './scale.js';
import { formatTick, niceStep } from './ticks.js';
import { el, svgDocument, text, tooltip, type Chart } from './svg.js';

/** The cells along one heatmap axis: one per distinct value (a grid), or equal bins on the axis scale (continuous values). */
export interface AxisCells {
  readonly log: boolean;
  /** Whether the values were binned (too many distinct values for one cell each). */
  readonly binned: boolean;
  /** Cell centres (the values themselves for a grid). */
  readonly centres: readonly number[];
  /** Cell boundaries, one more than centres: midpoints between neighbours on the axis scale. */
  readonly edges: readonly number[];
}

/**
 * Cells for an axis: each distinct value its own cell while there are at most `maxDiscrete`, with edges halfway
 * between neighbours (geometric means on a log axis, so powers of two get equal widths), else `bins` equal bins.
 */
export function axisCells(values: readonly number[], log: boolean, maxDiscrete = 24, bins = 12): AxisCells {
  const vs = [...new Set(values.filter(Number.isFinite))].sort((a, b) => a - b);
  if (vs.length === 0) throw new RangeError('An axis needs at least one finite value');
  const useLog = log && (vs[0] as number) > 0;
  const f = useLog ? Math.log : (v: number) => v;
  const g = useLog ? Math.exp : (v: number) => v;
  if (vs.length <= maxDiscrete) {
    const t = vs.map(f);
    const half = t.length === 1 ? (useLog ? Math.log(2) / 2 : Math.max(0.5, Math.abs(t[0] as number) * 0.05)) : 0;
    const edges: number[] = [];
    edges.push(g(t.length === 1 ? (t[0] as number) - half : (t[0] as number) - ((t[1] as number) - (t[0] as number)) / 2));
    for (let i = 0; i + 1 < t.length; i++) edges.push(g(((t[i] as number) + (t[i + 1] as number)) / 2));
    const n = t.length;
    edges.push(g(n === 1 ? (t[0] as number) + half : (t[n - 1] as number) + ((t[n - 1] as number) - (t[n - 2] as number)) / 2));
    return { log: useLog, binned: false, centres: vs, edges };
  }
  const lo = f(vs[0] as number);
  const hi = f(vs[vs.length - 1] as number);
  // The outer edges exactly at the extreme values (exp(log(v)) need not give v back).
  const edges = Array.from({ length: bins + 1 }, (_, i) =>
    (i === 0 ? (vs[0] as number) : i === bins ? (vs[vs.length - 1] as number) : g(lo + ((hi - lo) * i) / bins)));
  const centres = Array.from({ length: bins }, (_, i) => g(lo + ((hi - lo) * (i + 0.5)) / bins));
  return { log: useLog, binned: true, centres, edges };
}

/** The index of the cell holding v (the last bin includes its upper edge), or -1 outside. */
export function cellIndex(cells: AxisCells, v: number): number {
  if (!cells.binned) return cells.centres.indexOf(v);
  const e = cells.edges;
  if (v < (e[0] as number) || v > (e[e.length - 1] as number)) return -1;
  for (let i = 0; i + 1 < e.length; i++) if (v < (e[i + 1] as number)) return i;
  return e.length - 2;
}

/** A point on the surface: a configuration with its (mean) value over n runs. */
export interface SurfacePoint {
  readonly params: Params;
  readonly value: number;
  readonly n: number;
}

/** A special configuration to mark on the map (the selected one, the baseline). */
export interface HeatMark {
  readonly params: Params;
  readonly label: string;
  readonly shape: 'star' | 'square';
}

/** Colours of zone outlines (each drawn over a dark halo so it reads on any cell colour). */
export const ZONE_COLORS: readonly string[] = ['#ff3b30', '#ff9500', '#ff2d95', '#00e5ff', '#ffffff'];

/** Options of the heatmap. */
export interface HeatmapOptions {
  readonly x: string;
  readonly y: string;
  /** The surface to draw; default: every complete trial. Cells with several points show the best. */
  readonly surface?: readonly SurfacePoint[];
  /** How the surface was made, for the caption ("stage-1 grid, mean over seeds"). */
  readonly surfaceNote?: string;
  readonly zones?: readonly Zone[];
  /** Why zones are not outlined, when the input is a zone study but they could not be found. */
  readonly zonesNote?: string;
  readonly marks?: readonly HeatMark[];
  readonly id?: string;
  readonly width?: number;
  readonly height?: number;
}

const star = (cx: number, cy: number, r: number): string => {
  const pts: string[] = [];
  for (let i = 0; i < 10; i++) {
    const a = -Math.PI / 2 + (i * Math.PI) / 5;
    const rr = i % 2 === 0 ? r : r * 0.45;
    pts.push(`${Math.round((cx + rr * Math.cos(a)) * 100) / 100},${Math.round((cy + rr * Math.sin(a)) * 100) / 100}`);
  }
  return pts.join(' ');
};

/** Keeps tick labels that do not overlap the previous kept one (approximate text widths). */
function thin(ticks: readonly (readonly [number, string])[], pos: (v: number) => number, minGap: (label: string) => number): (readonly [number, string])[] {
  const out: (readonly [number, string])[] = [];
  let last = -Infinity;
  for (const t of ticks) {
    const p = pos(t[0]);
    if (Math.abs(p - last) >= minGap(t[1])) {
      out.push(t);
      last = p;
    }
  }
  return out;
}

/**
 * A heatmap of the objective over two ordered params: one cell per grid point (or bin), coloured by value
 * (brighter is better for either direction), the value in each cell large enough to hold it and in every
 * cell's tooltip, log axes where the values are powers of two or a log distribution, a colour bar,
 * and — for zone studies — each zone's extent outlined and its peak ringed.
 */
export function heatmapChart(data: ReportData, o: HeatmapOptions): Chart | null {
  const id = o.id ?? 'heatmap';
  const surface: SurfacePoint[] = (o.surface ?? data.trials.filter((t) => t.state === 'complete' && t.value !== null).map((t) => ({ params: t.params, value: t.value as number, n: 1 })))
    .filter((p) => typeof p.params[o.x] === 'number' && typeof p.params[o.y] === 'number' && Number.isFinite(p.value));
  if (surface.length === 0) return null;
  const xv = surface.map((p) => p.params[o.x] as number);
  const yv = surface.map((p) => p.params[o.y] as number);
  const xc = axisCells(xv, isLogAxis(data.space[o.x], xv));
  const yc = axisCells(yv, isLogAxis(data.space[o.y], yv));

  // Each cell keeps its best point; the others are counted.
  const sign = data.direction === 'maximize' ? 1 : -1;
  const cells = new Map<string, { ix: number; iy: number; best: SurfacePoint; points: number; runs: number }>();
  for (const p of surface) {
    const ix = cellIndex(xc, p.params[o.x] as number);
    const iy = cellIndex(yc, p.params[o.y] as number);
    const k = `${ix},${iy}`;
    const c = cells.get(k);
    if (!c) cells.set(k, { ix, iy, best: p, points: 1, runs: p.n });
    else {
      c.points++;
      c.runs += p.n;
      if (sign * p.value > sign * c.best.value) c.best = p;
    }
  }
  const values = [...cells.values()].map((c) => c.best.value);
  const colors = valueColorScale(values, data.direction);

  const zones = (o.zones ?? []).slice(0, ZONE_COLORS.length);
  const W = o.width ?? 780;
  const zoneLines = zones.length + (o.zonesNote ? 1 : 0) + (o.marks?.length ? 1 : 0);
  const H = (o.height ?? 440) + zoneLines * 16;
  const M = { left: 78, right: 150, top: 40, bottom: 64 + zoneLines * 16 };
  const xs = makeScale(xc.log, [xc.edges[0] as number, xc.edges[xc.edges.length - 1] as number], [M.left, W - M.right]);
  const ys = makeScale(yc.log, [yc.edges[0] as number, yc.edges[yc.edges.length - 1] as number], [H - M.bottom, M.top]);
  const box = (ix: number, iy: number): { x: number; y: number; w: number; h: number } => {
    const x0 = xs.map(xc.edges[ix] as number);
    const x1 = xs.map(xc.edges[ix + 1] as number);
    const y0 = ys.map(yc.edges[iy + 1] as number);
    const y1 = ys.map(yc.edges[iy] as number);
    return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
  };

  const step = niceStep(Math.abs(colors.max - colors.min) || Math.abs(colors.max) || 1, 100);
  const rects: string[] = [];
  const labels: string[] = [];
  for (const c of cells.values()) {
    const b = box(c.ix, c.iy);
    const fill = colors.color(c.best.value);
    const how = c.points > 1 ? `best of ${c.points} configurations in this cell` : c.best.n > 1 ? `mean of ${c.best.n} runs` : '1 run';
    rects.push(el('rect', { class: 'cell', x: b.x, y: b.y, width: b.w, height: b.h, fill, stroke: '#ffffff', 'stroke-width': 0.5 },
      tooltip(`${paramsText(c.best.params)}: ${data.metric} = ${showValue(c.best.value)} (${how})`)));
    const s = formatTick(c.best.value, step);
    // The value in the cell at up to 9.5 px, smaller where the cell is narrow, left out below 7 px.
    const size = Math.min(9.5, (b.w - 3) / (s.length * 0.6), b.h - 3);
    if (size >= 7) labels.push(text(b.x + b.w / 2, b.y + b.h / 2 + size * 0.36, s, { 'font-size': Math.round(size * 10) / 10, 'text-anchor': 'middle', fill: textColorOn(fill), 'pointer-events': 'none' }));
  }

  const axisTicks = (cellsOf: AxisCells, scale: typeof xs): (readonly [number, string])[] =>
    cellsOf.binned || cellsOf.centres.length > 16
      ? scale.ticks(8).map((v) => [v, scale.format(v)] as const)
      : cellsOf.centres.map((v) => [v, showValue(v)] as const);
  const xTicks = thin(axisTicks(xc, xs), xs.map, (s) => s.length * 6.4 + 6);
  const yTicks = thin(axisTicks(yc, ys), ys.map, () => 14);

  // Zones: the extent's outer boundary (cell edges with no neighbour in the zone) and a ring at the peak.
  const zoneParts: string[] = [];
  const zoneLegend: string[] = [];
  let ly = H - M.bottom + 50;
  zones.forEach((z, i) => {
    const color = ZONE_COLORS[i] as string;
    const inZone = new Set<string>();
    for (const p of z.extent) {
      const vx = p[o.x];
      const vy = p[o.y];
      if (typeof vx !== 'number' || typeof vy !== 'number') continue;
      const ix = cellIndex(xc, vx);
      const iy = cellIndex(yc, vy);
      if (ix >= 0 && iy >= 0) inZone.add(`${ix},${iy}`);
    }
    let d = '';
    const seg = (x1: number, y1: number, x2: number, y2: number): void => {
      d += `M${Math.round(x1 * 100) / 100} ${Math.round(y1 * 100) / 100}L${Math.round(x2 * 100) / 100} ${Math.round(y2 * 100) / 100}`;
    };
    for (const k of inZone) {
      const [ix, iy] = k.split(',').map(Number) as [number, number];
      const b = box(ix, iy);
      if (!inZone.has(`${ix - 1},${iy}`)) seg(b.x, b.y, b.x, b.y + b.h);
      if (!inZone.has(`${ix + 1},${iy}`)) seg(b.x + b.w, b.y, b.x + b.w, b.y + b.h);
      if (!inZone.has(`${ix},${iy + 1}`)) seg(b.x, b.y, b.x + b.w, b.y);
      if (!inZone.has(`${ix},${iy - 1}`)) seg(b.x, b.y + b.h, b.x + b.w, b.y + b.h);
    }
    const label = `zone ${z.rank}: peak ${paramsText(z.peak)}, ${data.metric} ${showValue(z.value)}; ${z.extent.length} grid point${z.extent.length === 1 ? '' : 's'} within noise`;
    const g: string[] = [tooltip(label)];
    if (d !== '') g.push(el('path', { d, stroke: '#000000', 'stroke-width': 4.5, 'stroke-linecap': 'square', fill: 'none', 'stroke-opacity': 0.7 }), el('path', { d, stroke: color, 'stroke-width': 2.2, 'stroke-linecap': 'square', fill: 'none' }));
    const px = z.peak[o.x];
    const py = z.peak[o.y];
    if (typeof px === 'number' && typeof py === 'number' && cellIndex(xc, px) >= 0 && cellIndex(yc, py) >= 0) {
      const b = box(cellIndex(xc, px), cellIndex(yc, py));
      const cx = b.x + b.w / 2;
      const cy = b.y + b.h / 2;
      g.push(el('circle', { cx, cy, r: Math.min(b.w, b.h) / 2 - 1.5, fill: 'none', stroke: '#000000', 'stroke-width': 4 }), el('circle', { cx, cy, r: Math.min(b.w, b.h) / 2 - 1.5, fill: 'none', stroke: color, 'stroke-width': 2 }));
      g.push(text(b.x + 2, b.y + 10, `Z${z.rank}`, { 'font-size': 10, 'font-weight': 700, fill: '#000000', stroke: '#ffffff', 'stroke-width': 3, 'paint-order': 'stroke' }));
    }
    zoneParts.push(el('g', { class: 'zone' }, ...g));
    zoneLegend.push(el('path', { d: `M${M.left} ${ly - 4}L${M.left + 16} ${ly - 4}`, stroke: color, 'stroke-width': 3 }, ''), el('path', { d: `M${M.left} ${ly - 4}L${M.left + 16} ${ly - 4}`, stroke: '#000000', 'stroke-width': 0.8 }), text(M.left + 22, ly, truncate(label, 110), { class: 'tick' }));
    ly += 16;
  });
  if (o.zonesNote) {
    zoneLegend.push(text(M.left, ly, truncate(o.zonesNote, 120), { class: 'note' }));
    ly += 16;
  }

  const markParts: string[] = [];
  const markLegend: string[] = [];
  let mx = M.left;
  for (const m of o.marks ?? []) {
    const vx = m.params[o.x];
    const vy = m.params[o.y];
    if (typeof vx !== 'number' || typeof vy !== 'number') continue;
    const ix = cellIndex(xc, vx);
    const iy = cellIndex(yc, vy);
    if (ix < 0 || iy < 0) continue;
    const b = box(ix, iy);
    const cx = b.x + b.w / 2;
    const cy = b.y + b.h / 2;
    const shape = (x: number, y: number, r: number, fill: string): string =>
      m.shape === 'star' ? el('polygon', { points: star(x, y, r), fill, stroke: '#000000', 'stroke-width': 1.2 }) : el('rect', { x: x - r * 0.7, y: y - r * 0.7, width: r * 1.4, height: r * 1.4, fill, stroke: '#000000', 'stroke-width': 1.2 });
    markParts.push(el('g', { class: 'special' }, tooltip(`${m.label}: ${paramsText(m.params)}`), shape(cx, cy, 7, '#ffffff')));
    markLegend.push(shape(mx + 6, ly - 4, 6, '#ffffff'), text(mx + 16, ly, m.label, { class: 'tick' }));
    mx += 30 + m.label.length * 6.2;
  }

  const body = [
    el('rect', { x: M.left, y: M.top, width: W - M.left - M.right, height: H - M.top - M.bottom, fill: '#eeeeee' }),
    el('g', { class: 'cells' }, ...rects),
    el('g', { class: 'cell-values' }, ...labels),
    leftAxis({ scale: ys, at: M.left, label: `${o.y}${yc.log ? ' (log scale)' : ''}`, ticks: yTicks }),
    bottomAxis({ scale: xs, at: H - M.bottom, label: `${o.x}${xc.log ? ' (log scale)' : ''}`, ticks: xTicks }),
    el('g', { class: 'zones' }, ...zoneParts),
    el('g', { class: 'marks' }, ...markParts),
    colorLegend({ scale: colors, x: W - M.right + 20, y: M.top + 30, height: H - M.top - M.bottom - 40, label: data.metric, idPrefix: id }),
    el('g', { class: 'zone-legend' }, ...zoneLegend, ...markLegend),
  ].join('');
  const title = `${data.metric} over ${o.x} × ${o.y}`;
  const desc = `Heatmap of ${cells.size} cells${o.surfaceNote ? ` (${o.surfaceNote})` : ''}; ${data.metric} from ${showValue(colors.min)} to ${showValue(colors.max)}, brighter is better (${data.direction})${zones.length ? `; ${zones.length} zone${zones.length === 1 ? '' : 's'} outlined` : ''}.`;
  return { id, title, caption: `${desc} Hover a cell for its configuration and value.`, svg: svgDocument({ id, width: W, height: H, title, desc }, body) };
}
