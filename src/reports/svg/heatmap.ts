import { max, min } from 'd3-array';
import type { Zone } from '../../strategies/zones/options.js';
import type { Params } from '../../core/types.js';
import type { DistributionSpec } from '../../space/distribution.js';
import { bottomAxis, leftAxis, leftAxisMargin } from './axes.js';
import { textColorOn, valueColorScale } from './color.js';
import { paramsText, showValue, type ReportData } from './data.js';
import { truncate, wrapText } from './escape.js';
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

/** A special mark's shape centred at (x, y) with radius r. */
function markShape(shape: HeatMark['shape'], x: number, y: number, r: number, fill: string): string {
  return shape === 'star'
    ? el('polygon', { points: star(x, y, r), fill, stroke: '#000000', 'stroke-width': 1.2 })
    : el('rect', { x: x - r * 0.7, y: y - r * 0.7, width: r * 1.4, height: r * 1.4, fill, stroke: '#000000', 'stroke-width': 1.2 });
}

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

/** Most values an axis may take and still be drawn as a grid of cells. */
const MAX_GRID = 24;

/**
 * Whether an axis is a finite grid, so that a cell per value fills the map: series and categorical params, and ints with
 * at most 24 possible values; without a distribution, at most 24 distinct values. A float (TPE, random) never is:
 * 12 trials give 12 distinct values per axis and a map of 144 cells with 12 filled.
 */
export function isGridAxis(d: DistributionSpec | undefined, values: readonly number[]): boolean {
  if (d === undefined) return new Set(values).size <= MAX_GRID;
  switch (d.type) {
    case 'series':
    case 'categorical':
      return true;
    case 'int':
      return !d.log && Math.floor((d.high - d.low) / (d.step ?? 1)) + 1 <= MAX_GRID;
    case 'float':
      return false;
  }
}

/** A box in SVG coordinates. */
export interface Box {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

const overlaps = (a: Box, b: Box): boolean => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/**
 * Where a cell's value goes: centred in the cell at up to 9.5 px (smaller where the cell is narrow), else the nearest
 * place above or below the `obstacles` (marks, zone tags) in the cell that clears them, shrinking to 7 px before it
 * gives up (null: the value stays in the tooltip). `box` is the text's extent (ascent 0.8, descent 0.2 of the size,
 * 0.6 of the size per character).
 */
export function cellLabelPlace(cell: Box, label: string, obstacles: readonly Box[] = []): { x: number; y: number; size: number; box: Box } | null {
  const x = cell.x + cell.w / 2;
  const centre = cell.y + cell.h / 2;
  for (let size = Math.min(9.5, (cell.w - 3) / (label.length * 0.6), cell.h - 3); size >= 7; size -= 0.5) {
    const w = label.length * 0.6 * size;
    const boxAt = (base: number): Box => ({ x: x - w / 2, y: base - 0.8 * size, w, h: size });
    const candidates = [centre + size * 0.36, ...obstacles.flatMap((o) => [o.y + o.h + 1 + 0.8 * size, o.y - 1 - 0.2 * size])]
      .filter((base) => base - 0.8 * size >= cell.y + 1 && base + 0.2 * size <= cell.y + cell.h - 1)
      .sort((p, q) => Math.abs(p - centre) - Math.abs(q - centre));
    for (const base of candidates) {
      const box = boxAt(base);
      if (!obstacles.some((o) => overlaps(o, box))) return { x, y: base, size, box };
    }
  }
  return null;
}

/** A mark's place on a grid cell: the top-right corner, radius 4.5–7 px by the cell's size. */
export function cornerMark(cell: Box): { cx: number; cy: number; r: number } {
  const r = Math.max(4.5, Math.min(7, Math.min(cell.w, cell.h) / 5));
  return { cx: cell.x + cell.w - r - 2, cy: cell.y + r + 2, r };
}

/** The index of the cell whose edges hold v (off-grid values too), or -1 outside the axis. */
function cellAround(cells: AxisCells, v: number): number {
  const e = cells.edges;
  for (let i = 0; i + 1 < e.length; i++) if (v >= (e[i] as number) && v <= (e[i + 1] as number)) return i;
  return -1;
}

/**
 * The objective over two ordered params: a heatmap when both are finite grids (`isGridAxis`), else a scatter of the
 * trials coloured by value (a cell per distinct value of a continuous param would leave the map nearly empty).
 */
export function heatmapChart(data: ReportData, o: HeatmapOptions): Chart | null {
  const surface: SurfacePoint[] = (o.surface ?? data.trials.filter((t) => t.state === 'complete' && t.value !== null).map((t) => ({ params: t.params, value: t.value as number, n: 1 })))
    .filter((p) => typeof p.params[o.x] === 'number' && typeof p.params[o.y] === 'number' && Number.isFinite(p.value));
  if (surface.length === 0) return null;
  const xv = surface.map((p) => p.params[o.x] as number);
  const yv = surface.map((p) => p.params[o.y] as number);
  if (!isGridAxis(data.space[o.x], xv) || !isGridAxis(data.space[o.y], yv)) return scatterChart(data, o, surface);
  return gridChart(data, o, surface);
}

/** The legend line of special marks, from x = M.left at baseline y. */
function markLegendParts(marks: readonly HeatMark[], x0: number, y: number): string[] {
  const parts: string[] = [];
  let mx = x0;
  for (const m of marks) {
    parts.push(markShape(m.shape, mx + 6, y - 4, 6, '#ffffff'), text(mx + 16, y, m.label, { class: 'tick' }));
    mx += 30 + m.label.length * 6.2;
  }
  return parts;
}

/**
 * A heatmap of the objective over two grid params: one cell per grid point (or bin), coloured by value
 * (brighter is better for either direction), the value in each cell in black or white by the cell's luminance and in
 * every cell's tooltip, log axes where the values are powers of two or a log distribution, a colour bar,
 * special marks in a cell's top-right corner (the value moves below them), and — for zone studies — each zone's extent
 * outlined and its peak ringed.
 */
function gridChart(data: ReportData, o: HeatmapOptions, surface: readonly SurfacePoint[]): Chart {
  const id = o.id ?? 'heatmap';
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
  const noteLines = o.zonesNote ? wrapText(o.zonesNote, 110) : [];
  const zoneLines = zones.length + noteLines.length + (o.marks?.length ? 1 : 0);
  const H = (o.height ?? 440) + zoneLines * 16;
  const top = 40;
  const bottom = 64 + zoneLines * 16;
  const ys = makeScale(yc.log, [yc.edges[0] as number, yc.edges[yc.edges.length - 1] as number], [H - bottom, top]);
  const axisTicks = (cellsOf: AxisCells, scale: typeof ys): (readonly [number, string])[] =>
    cellsOf.binned || cellsOf.centres.length > 16
      ? scale.ticks(8).map((v) => [v, scale.format(v, 8)] as const)
      : cellsOf.centres.map((v) => [v, showValue(v)] as const);
  const yTicks = thin(axisTicks(yc, ys), ys.map, () => 14);
  // The left margin fits the widest y tick and the rotated title (a learning rate's 0.0001235 needs more than 78 px).
  const M = { left: Math.max(78, leftAxisMargin(yTicks.map((t) => t[1]))), right: 150, top, bottom };
  const xs = makeScale(xc.log, [xc.edges[0] as number, xc.edges[xc.edges.length - 1] as number], [M.left, W - M.right]);
  const xTicks = thin(axisTicks(xc, xs), xs.map, (s) => s.length * 6.4 + 6);
  const box = (ix: number, iy: number): Box => {
    const x0 = xs.map(xc.edges[ix] as number);
    const x1 = xs.map(xc.edges[ix + 1] as number);
    const y0 = ys.map(yc.edges[iy + 1] as number);
    const y1 = ys.map(yc.edges[iy] as number);
    return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
  };
  const cellOf = (p: Params): string | null => {
    const vx = p[o.x];
    const vy = p[o.y];
    if (typeof vx !== 'number' || typeof vy !== 'number') return null;
    const ix = cellIndex(xc, vx);
    const iy = cellIndex(yc, vy);
    return ix >= 0 && iy >= 0 ? `${ix},${iy}` : null;
  };

  // Marks: on a grid point, in its cell's top-right corner; off the grid (a refined point), at its own position.
  // Each is an obstacle the cell's value moves away from, as is a zone's "Z1" tag.
  const obstacles = new Map<string, Box[]>();
  const block = (k: string, bx: Box): void => {
    obstacles.set(k, [...(obstacles.get(k) ?? []), bx]);
  };
  const placedMarks: { m: HeatMark; cx: number; cy: number; r: number; onGrid: boolean }[] = [];
  for (const m of o.marks ?? []) {
    const vx = m.params[o.x];
    const vy = m.params[o.y];
    if (typeof vx !== 'number' || typeof vy !== 'number') continue;
    const k = cellOf(m.params);
    const ix = k === null ? cellAround(xc, vx) : Number(k.split(',')[0]);
    const iy = k === null ? cellAround(yc, vy) : Number(k.split(',')[1]);
    if (ix < 0 || iy < 0) continue;
    const at = k !== null ? cornerMark(box(ix, iy)) : { cx: xs.map(vx), cy: ys.map(vy), r: 6.5 };
    placedMarks.push({ m, ...at, onGrid: k !== null });
    block(`${ix},${iy}`, { x: at.cx - at.r - 1, y: at.cy - at.r - 1, w: 2 * at.r + 2, h: 2 * at.r + 2 });
  }
  for (const z of zones) {
    const k = cellOf(z.peak);
    if (k === null) continue;
    const [ix, iy] = k.split(',').map(Number) as [number, number];
    const b = box(ix, iy);
    block(k, { x: b.x, y: b.y, w: 22, h: 13 });
  }

  const step = niceStep(Math.abs(colors.max - colors.min) || Math.abs(colors.max) || 1, 100);
  const rects: string[] = [];
  const labels: string[] = [];
  for (const [k, c] of cells) {
    const b = box(c.ix, c.iy);
    const fill = colors.color(c.best.value);
    const how = c.points > 1 ? `best of ${c.points} configurations in this cell` : c.best.n > 1 ? `mean of ${c.best.n} runs` : '1 run';
    rects.push(el('rect', { class: 'cell', x: b.x, y: b.y, width: b.w, height: b.h, fill, stroke: '#ffffff', 'stroke-width': 0.5 },
      tooltip(`${paramsText(c.best.params)}: ${data.metric} = ${showValue(c.best.value)} (${how})`)));
    const s = formatTick(c.best.value, step);
    const at = cellLabelPlace(b, s, obstacles.get(k) ?? []);
    if (at) labels.push(text(at.x, at.y, s, { class: 'cell-value', 'font-size': Math.round(at.size * 10) / 10, 'text-anchor': 'middle', fill: textColorOn(fill), 'pointer-events': 'none' }));
  }

  // Zones: the extent's outer boundary (cell edges with no neighbour in the zone) and a ring at the peak.
  const zoneParts: string[] = [];
  const zoneLegend: string[] = [];
  let ly = H - M.bottom + 50;
  zones.forEach((z, i) => {
    const color = ZONE_COLORS[i] as string;
    const inZone = new Set<string>();
    for (const p of z.extent) {
      const k = cellOf(p);
      if (k !== null) inZone.add(k);
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
    const pk = cellOf(z.peak);
    if (pk !== null) {
      const [ix, iy] = pk.split(',').map(Number) as [number, number];
      const b = box(ix, iy);
      const cx = b.x + b.w / 2;
      const cy = b.y + b.h / 2;
      g.push(el('circle', { cx, cy, r: Math.min(b.w, b.h) / 2 - 1.5, fill: 'none', stroke: '#000000', 'stroke-width': 4 }), el('circle', { cx, cy, r: Math.min(b.w, b.h) / 2 - 1.5, fill: 'none', stroke: color, 'stroke-width': 2 }));
      g.push(text(b.x + 2, b.y + 10, `Z${z.rank}`, { 'font-size': 10, 'font-weight': 700, fill: '#000000', stroke: '#ffffff', 'stroke-width': 3, 'paint-order': 'stroke' }));
    }
    zoneParts.push(el('g', { class: 'zone' }, ...g));
    zoneLegend.push(el('path', { d: `M${M.left} ${ly - 4}L${M.left + 16} ${ly - 4}`, stroke: color, 'stroke-width': 3 }, ''), el('path', { d: `M${M.left} ${ly - 4}L${M.left + 16} ${ly - 4}`, stroke: '#000000', 'stroke-width': 0.8 }), text(M.left + 22, ly, truncate(label, 110), { class: 'tick' }));
    ly += 16;
  });
  for (const line of noteLines) {
    zoneLegend.push(text(M.left, ly, line, { class: 'note' }));
    ly += 16;
  }

  const markParts = placedMarks.map((p) =>
    el('g', { class: 'special' }, tooltip(`${p.m.label}: ${paramsText(p.m.params)}${p.onGrid ? '' : ' (off the grid: drawn at its own position)'}`), markShape(p.m.shape, p.cx, p.cy, p.r, '#ffffff')));
  const shown = placedMarks.map((p) => (p.onGrid ? p.m : { ...p.m, label: `${p.m.label} (off the grid, at its position)` }));

  const body = [
    el('rect', { x: M.left, y: M.top, width: W - M.left - M.right, height: H - M.top - M.bottom, fill: '#eeeeee' }),
    el('g', { class: 'cells' }, ...rects),
    el('g', { class: 'cell-values' }, ...labels),
    leftAxis({ scale: ys, at: M.left, label: `${o.y}${yc.log ? ' (log scale)' : ''}`, ticks: yTicks }),
    bottomAxis({ scale: xs, at: H - M.bottom, label: `${o.x}${xc.log ? ' (log scale)' : ''}`, ticks: xTicks }),
    el('g', { class: 'zones' }, ...zoneParts),
    el('g', { class: 'marks' }, ...markParts),
    colorLegend({ scale: colors, x: W - M.right + 20, y: M.top + 30, height: H - M.top - M.bottom - 40, label: data.metric, idPrefix: id }),
    el('g', { class: 'zone-legend' }, ...zoneLegend, ...markLegendParts(shown, M.left, ly)),
  ].join('');
  const title = `${data.metric} over ${o.x} × ${o.y}`;
  const desc = `Heatmap of ${cells.size} cells${o.surfaceNote ? ` (${o.surfaceNote})` : ''}; ${data.metric} from ${showValue(colors.min)} to ${showValue(colors.max)}, brighter is better (${data.direction})${zones.length ? `; ${zones.length} zone${zones.length === 1 ? '' : 's'} outlined` : ''}.`;
  return { id, title, caption: `${desc} Hover a cell for its configuration and value.`, svg: svgDocument({ id, width: W, height: H, title, desc }, body) };
}

/**
 * The objective over two params of which at least one is continuous: every trial a dot at its (x, y), coloured by
 * value (brighter is better), the best ringed and drawn last, special marks at their configurations, log axes where
 * the distribution says so or the values are log-spread.
 */
function scatterChart(data: ReportData, o: HeatmapOptions, surface: readonly SurfacePoint[]): Chart {
  const id = o.id ?? 'heatmap';
  const W = o.width ?? 780;
  const marks = o.marks ?? [];
  const H = (o.height ?? 440) + (marks.length ? 16 : 0);
  const top = 40;
  const bottom = 64 + (marks.length ? 16 : 0);
  const xv = surface.map((p) => p.params[o.x] as number);
  const yv = surface.map((p) => p.params[o.y] as number);
  const xLog = isLogAxis(data.space[o.x], xv) && (min(xv) ?? NaN) > 0;
  const yLog = isLogAxis(data.space[o.y], yv) && (min(yv) ?? NaN) > 0;
  // The domain: the distribution's bounds when it has them (so the unexplored part shows), else the values, padded 4%.
  const domain = (name: string, vs: readonly number[], log: boolean): [number, number] => {
    const d = data.space[name];
    let lo = min(vs) ?? NaN;
    let hi = max(vs) ?? NaN;
    if (d && (d.type === 'float' || d.type === 'int')) {
      lo = Math.min(lo, d.low);
      hi = Math.max(hi, d.high);
    }
    const f = log ? Math.log : (v: number) => v;
    const g = log ? Math.exp : (v: number) => v;
    const pad = (f(hi) - f(lo)) * 0.04 || (log ? Math.log(2) : Math.max(0.5, Math.abs(lo) * 0.05));
    return [g(f(lo) - pad), g(f(hi) + pad)];
  };
  const ys = makeScale(yLog, domain(o.y, yv, yLog), [H - bottom, top]);
  const yTicks = ys.ticks(yLog ? 8 : 6).map((v) => [v, ys.format(v, 6)] as const);
  const M = { left: Math.max(78, leftAxisMargin(yTicks.map((t) => t[1]))), right: 150, top, bottom };
  const xs = makeScale(xLog, domain(o.x, xv, xLog), [M.left, W - M.right]);
  const xTicks = thin(xs.ticks(xLog ? 8 : 7).map((v) => [v, xs.format(v, 7)] as const), xs.map, (s) => s.length * 6.4 + 6);
  const colors = valueColorScale(surface.map((p) => p.value), data.direction);
  const sorted = [...surface].sort((a, b) => colors.position(a.value) - colors.position(b.value));
  const best = sorted[sorted.length - 1] as SurfacePoint;
  const dots = sorted.map((p) => {
    const cx = xs.map(p.params[o.x] as number);
    const cy = ys.map(p.params[o.y] as number);
    return el('circle', { class: 'dot', cx, cy, r: 6, fill: colors.color(p.value), stroke: '#333333', 'stroke-width': 0.7 },
      tooltip(`${paramsText(p.params)}: ${data.metric} = ${showValue(p.value)}${p.n > 1 ? ` (mean of ${p.n} runs)` : ''}${p === best ? ' — best' : ''}`));
  });
  const bx = xs.map(best.params[o.x] as number);
  const by = ys.map(best.params[o.y] as number);
  const markParts: string[] = [];
  const shown: HeatMark[] = [];
  for (const m of marks) {
    const vx = m.params[o.x];
    const vy = m.params[o.y];
    if (typeof vx !== 'number' || typeof vy !== 'number') continue;
    shown.push(m);
    markParts.push(el('g', { class: 'special' }, tooltip(`${m.label}: ${paramsText(m.params)}`), markShape(m.shape, xs.map(vx) + 9, ys.map(vy) - 9, 6, '#ffffff')));
  }
  const body = [
    el('rect', { x: M.left, y: M.top, width: W - M.left - M.right, height: H - M.top - M.bottom, fill: '#f4f4f4' }),
    leftAxis({ scale: ys, at: M.left, gridTo: W - M.right, label: `${o.y}${yLog ? ' (log scale)' : ''}`, ticks: yTicks }),
    bottomAxis({ scale: xs, at: H - M.bottom, gridTo: M.top, label: `${o.x}${xLog ? ' (log scale)' : ''}`, ticks: xTicks }),
    el('g', { class: 'dots' }, ...dots),
    el('circle', { class: 'best-ring', cx: bx, cy: by, r: 10, fill: 'none', stroke: '#d62728', 'stroke-width': 2 }),
    el('g', { class: 'marks' }, ...markParts),
    colorLegend({ scale: colors, x: W - M.right + 20, y: M.top + 30, height: H - M.top - M.bottom - 40, label: data.metric, idPrefix: id }),
    text(M.left, H - M.bottom + 50, `Red ring: the best (${paramsText({ [o.x]: best.params[o.x] as number, [o.y]: best.params[o.y] as number })} → ${showValue(best.value)}).`, { class: 'note' }),
    el('g', { class: 'mark-legend' }, ...markLegendParts(shown, M.left, H - M.bottom + 66)),
  ].join('');
  const title = `${data.metric} over ${o.x} × ${o.y}`;
  const desc = `Scatter of ${surface.length} ${data.order === 'trial' ? 'trials' : 'entries'} (${o.x} and ${o.y} are not both grids: a cell per distinct value would leave the map nearly empty); ${data.metric} from ${showValue(colors.min)} to ${showValue(colors.max)}, brighter is better (${data.direction}).`;
  return { id, title, caption: `${desc} Hover a dot for its configuration and value.`, svg: svgDocument({ id, width: W, height: H, title, desc }, body) };
}
