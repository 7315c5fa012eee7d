import { max, min } from 'd3-array';
import type { Params } from '../../core/types.js';
import { valueColorScale, type ValueColorScale } from './color.js';
import { showValue, type ReportData } from './data.js';
import { truncate } from './escape.js';
import { axisCells, cellIndex, isGridAxis, type AxisCells } from './heatmap.js';
import { colorLegend } from './legend.js';
import { isLogAxis, linearScale, makeScale } from './scale.js';
import { niceDomain } from './ticks.js';
import { el, svgDocument, text, tooltip, type Chart } from './svg.js';

/** A point that reported per-epoch values: its params and the metric at each step. */
export interface CurvePoint {
  readonly params: Params;
  readonly steps: readonly { readonly step: number; readonly value: number }[];
}

/** The mean metric per grid cell at one epoch: z[iy][ix], null where no trial reached that epoch. */
export interface EpochGrid {
  readonly epoch: number;
  readonly z: (number | null)[][];
  readonly n: number[][];
}

/** A surface over two params at several epochs, on one set of axes. */
export interface EpochSurfaces {
  readonly x: string;
  readonly y: string;
  readonly xc: AxisCells;
  readonly yc: AxisCells;
  /** Where each cell's centre sits across the floor, in [-0.5, 0.5]: evenly for a grid, by (log) value for a continuous param. */
  readonly xPos: readonly number[];
  readonly yPos: readonly number[];
  /** Whether both params are grids (a surface of quads) or not (a 3D scatter with stems to the floor). */
  readonly grid: boolean;
  readonly frames: readonly EpochGrid[];
}

/** Floor positions of an axis's cells: evenly spaced for a grid, else proportional to the (log) value. */
function floorPositions(c: AxisCells, grid: boolean): number[] {
  const n = c.centres.length;
  if (grid || n < 2) return c.centres.map((_, i) => (n === 1 ? 0 : i / (n - 1) - 0.5));
  const f = c.log ? Math.log : (v: number) => v;
  const lo = f(c.centres[0] as number);
  const hi = f(c.centres[n - 1] as number);
  return c.centres.map((v) => (hi === lo ? 0 : (f(v) - lo) / (hi - lo) - 0.5));
}

/**
 * Up to `max` epochs to show: every epoch reached when there are that few, else the ones nearest to 1/max, 2/max, …
 * of the last (the article read 20, 40, 60 and 80 of 80).
 */
export function pickEpochs(steps: readonly number[], max = 4): number[] {
  const all = [...new Set(steps)].sort((a, b) => a - b);
  if (all.length <= max) return all;
  const last = all[all.length - 1] as number;
  const out = new Set<number>();
  for (let i = 1; i <= max; i++) {
    const want = (last * i) / max;
    out.add(all.reduce((best, s) => (Math.abs(s - want) < Math.abs(best - want) ? s : best), all[0] as number));
  }
  return [...out].sort((a, b) => a - b);
}

/**
 * The metric over params x × y at each chosen epoch, averaged per cell over the points that reported that epoch
 * (seeds, repeats; pruned trials up to where they stopped). The axes are the heatmap's (a cell per grid value, or bins
 * for continuous values) and are shared by every epoch. Null when fewer than 2 × 2 cells or no epoch has 3 cells.
 */
export function epochSurfaces(points: readonly CurvePoint[], x: string, y: string, data: ReportData, maxEpochs = 4): EpochSurfaces | null {
  const pts = points.filter((p) => typeof p.params[x] === 'number' && typeof p.params[y] === 'number' && p.steps.length > 0);
  if (pts.length < 3) return null;
  const xv = pts.map((p) => p.params[x] as number);
  const yv = pts.map((p) => p.params[y] as number);
  const xc = axisCells(xv, isLogAxis(data.space[x], xv));
  const yc = axisCells(yv, isLogAxis(data.space[y], yv));
  if (xc.centres.length < 2 || yc.centres.length < 2) return null;
  const frames: EpochGrid[] = [];
  for (const epoch of pickEpochs(pts.flatMap((p) => p.steps.map((s) => s.step)), maxEpochs)) {
    const sum = yc.centres.map(() => xc.centres.map(() => 0));
    const n = yc.centres.map(() => xc.centres.map(() => 0));
    for (const p of pts) {
      const v = p.steps.find((s) => s.step === epoch)?.value;
      if (v === undefined || !Number.isFinite(v)) continue;
      const ix = cellIndex(xc, p.params[x] as number);
      const iy = cellIndex(yc, p.params[y] as number);
      if (ix < 0 || iy < 0) continue;
      (sum[iy] as number[])[ix] = ((sum[iy] as number[])[ix] as number) + v;
      (n[iy] as number[])[ix] = ((n[iy] as number[])[ix] as number) + 1;
    }
    const z = sum.map((row, iy) => row.map((s, ix) => ((n[iy] as number[])[ix] ? s / ((n[iy] as number[])[ix] as number) : null)));
    if (z.flat().filter((v) => v !== null).length >= 3) frames.push({ epoch, z, n });
  }
  const grid = isGridAxis(data.space[x], xv) && isGridAxis(data.space[y], yv);
  return frames.length ? { x, y, xc, yc, xPos: floorPositions(xc, grid), yPos: floorPositions(yc, grid), grid, frames } : null;
}

/** Viewing angles of the static projection: azimuth from the x axis and elevation above the floor, in degrees. */
const AZIMUTH = -50;
const ELEVATION = 28;

/**
 * One epoch's surface as a static 3D projection: a quad between each 2 × 2 block of cells that all have a value,
 * coloured by its mean (brighter is better; one colour scale and one z range for every epoch, so frames compare),
 * drawn back to front; the floor's edges with the params' ticks, a z axis with ticks, and the best cell marked.
 */
export function surfaceFrameSvg(s: EpochSurfaces, frame: EpochGrid, o: { id: string; metric: string; zRange: readonly [number, number]; colors: ValueColorScale; direction: 'maximize' | 'minimize'; width?: number; height?: number }): string {
  const W = o.width ?? 780;
  const H = o.height ?? 500;
  const nx = s.xc.centres.length;
  const ny = s.yc.centres.length;
  const [z0, z1] = niceDomain(o.zRange[0], o.zRange[1], 5);
  const az = (AZIMUTH * Math.PI) / 180;
  const elv = (ELEVATION * Math.PI) / 180;
  // Unit cube: u, v ∈ [-0.5, 0.5] across the floor, w ∈ [0, 1] up. Depth d grows away from the viewer, and farther
  // points sit higher on the screen; the scale fits the floor diamond plus the height into the area left of the legend.
  const sa = Math.abs(Math.sin(az));
  const ca = Math.abs(Math.cos(az));
  const HZ = 0.7;
  const scale = Math.min((W - 250) / (sa + ca), (H - 150) / ((sa + ca) * Math.sin(elv) + HZ * Math.cos(elv)));
  const cx = 70 + (W - 250) / 2;
  const cy = H - 62 - scale * 0.5 * (sa + ca) * Math.sin(elv);
  const project = (u: number, v: number, w: number): { x: number; y: number; depth: number } => {
    const xr = u * Math.cos(az) - v * Math.sin(az);
    const d = u * Math.sin(az) + v * Math.cos(az);
    return { x: cx + scale * xr, y: cy - scale * (d * Math.sin(elv) + w * HZ * Math.cos(elv)), depth: d };
  };
  const U = (ix: number): number => s.xPos[ix] as number;
  const V = (iy: number): number => s.yPos[iy] as number;
  const Wz = (v: number): number => (z1 === z0 ? 0.5 : (v - z0) / (z1 - z0));
  const zAt = (ix: number, iy: number): number | null => frame.z[iy]?.[ix] ?? null;
  const f2 = (v: number): number => Math.round(v * 100) / 100;

  // The floor and the back walls' outline, then the quads back to front.
  const corner = (u: number, v: number, w: number): string => { const p = project(u, v, w); return `${f2(p.x)},${f2(p.y)}`; };
  const parts: string[] = [];
  parts.push(el('polygon', { class: 'floor', points: [corner(-0.5, -0.5, 0), corner(0.5, -0.5, 0), corner(0.5, 0.5, 0), corner(-0.5, 0.5, 0)].join(' '), fill: '#f2f2f2', stroke: '#999999', 'stroke-width': 0.8 }));
  // The z axis rises from the floor's leftmost corner, its ticks to the left, clear of the surface.
  const corners = [[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5]] as const;
  const back = [...corners].sort((a, b) => project(a[0], a[1], 0).x - project(b[0], b[1], 0).x)[0] as readonly [number, number];
  const zs = linearScale([z0, z1], [0, 1]);
  for (const t of zs.ticks(5)) {
    const w = Wz(t);
    const a = project(back[0], back[1], w);
    parts.push(el('line', { class: 'grid', x1: f2(a.x), y1: f2(a.y), x2: f2(a.x - 6), y2: f2(a.y) }), text(a.x - 9, a.y + 4, zs.format(t), { class: 'tick', 'text-anchor': 'end' }));
  }
  const zb = project(back[0], back[1], 0);
  const zt = project(back[0], back[1], 1);
  parts.push(el('line', { class: 'axis', x1: f2(zb.x), y1: f2(zb.y), x2: f2(zt.x), y2: f2(zt.y) }), text(zt.x, zt.y - 10, o.metric, { class: 'label', 'text-anchor': 'middle' }));

  const quads: { depth: number; svg: string }[] = [];
  for (let iy = 0; iy + 1 < ny; iy++) {
    for (let ix = 0; ix + 1 < nx; ix++) {
      const vs = [zAt(ix, iy), zAt(ix + 1, iy), zAt(ix + 1, iy + 1), zAt(ix, iy + 1)];
      if (!s.grid || vs.some((v) => v === null)) continue;
      const pts = [[ix, iy], [ix + 1, iy], [ix + 1, iy + 1], [ix, iy + 1]].map(([i, j], k) => project(U(i as number), V(j as number), Wz(vs[k] as number)));
      const mean = (vs as number[]).reduce((a, b) => a + b, 0) / 4;
      quads.push({
        depth: pts.reduce((a, p) => a + p.depth, 0) / 4,
        svg: el('polygon', { class: 'quad', points: pts.map((p) => `${f2(p.x)},${f2(p.y)}`).join(' '), fill: o.colors.color(mean), stroke: '#333333', 'stroke-width': 0.4, 'stroke-opacity': 0.6 }),
      });
    }
  }
  // Farther first: larger depth is farther from the viewer.
  quads.sort((a, b) => b.depth - a.depth);
  // Cells with a value but no complete quad (a sparse map): a dot at their height, so nothing measured is hidden.
  const dots: string[] = [];
  for (let iy = 0; iy < ny; iy++) for (let ix = 0; ix < nx; ix++) {
    const v = zAt(ix, iy);
    if (v === null) continue;
    const p = project(U(ix), V(iy), Wz(v));
    const n = frame.n[iy]?.[ix] ?? 0;
    if (!s.grid) {
      const f = project(U(ix), V(iy), 0);
      dots.push(el('line', { class: 'stem', x1: f2(f.x), y1: f2(f.y), x2: f2(p.x), y2: f2(p.y), stroke: '#888888', 'stroke-width': 0.8 }), el('circle', { cx: f2(f.x), cy: f2(f.y), r: 1.2, fill: '#888888' }));
    }
    dots.push(el('circle', { class: 'point', cx: f2(p.x), cy: f2(p.y), r: s.grid ? 2.2 : 4.5, fill: o.colors.color(v), stroke: '#222222', 'stroke-width': 0.5 },
      tooltip(`${s.x}=${showValue(s.xc.centres[ix])} ${s.y}=${showValue(s.yc.centres[iy])}: ${o.metric} = ${showValue(v)} at epoch ${frame.epoch} (mean of ${n})`)));
  }

  // Floor ticks: x along the front edge of v = -0.5 or 0.5 (whichever is nearer the viewer), y likewise.
  const vFront = project(0, -0.5, 0).depth < project(0, 0.5, 0).depth ? -0.5 : 0.5;
  const uFront = project(-0.5, 0, 0).depth < project(0.5, 0, 0).depth ? -0.5 : 0.5;
  // Grid axes label their values (every few when many); continuous ones get nice ticks at their positions.
  const floorTicks = (c: AxisCells, pos: readonly number[]): { at: number; label: string }[] => {
    const n = c.centres.length;
    if (s.grid) {
      const every = Math.max(1, Math.ceil(n / 7));
      const label = (v: number): string => showValue(Number.isInteger(v) ? v : Number(v.toPrecision(3)));
      return c.centres.flatMap((v, i) => (i % every === 0 || i === n - 1 ? [{ at: pos[i] as number, label: label(v) }] : []));
    }
    const sc = makeScale(c.log, [c.centres[0] as number, c.centres[n - 1] as number], [-0.5, 0.5]);
    return sc.ticks(c.log ? 5 : 4).map((v) => ({ at: sc.map(v), label: sc.format(v, 4) })).filter((t) => t.at >= -0.501 && t.at <= 0.501);
  };
  const tickParts: string[] = [];
  for (const t of floorTicks(s.xc, s.xPos)) {
    const p = project(t.at, vFront * 1.08, 0);
    tickParts.push(text(p.x, p.y + 12, t.label, { class: 'tick', 'text-anchor': 'middle' }));
  }
  for (const t of floorTicks(s.yc, s.yPos)) {
    const p = project(uFront * 1.08, t.at, 0);
    tickParts.push(text(p.x + (uFront > 0 ? 4 : -4), p.y + 12, t.label, { class: 'tick', 'text-anchor': uFront > 0 ? 'start' : 'end' }));
  }
  const xl = project(0, vFront * 1.3, 0);
  const yl = project(uFront * 1.35, 0, 0);
  tickParts.push(text(xl.x, xl.y + 22, `${s.x}${s.xc.log ? ' (log)' : ''}`, { class: 'label', 'text-anchor': 'middle' }));
  tickParts.push(text(yl.x, yl.y + 22, `${s.y}${s.yc.log ? ' (log)' : ''}`, { class: 'label', 'text-anchor': 'middle' }));

  // The best cell at this epoch.
  let best: { ix: number; iy: number; v: number } | null = null;
  const sign = o.direction === 'maximize' ? 1 : -1;
  for (let iy = 0; iy < ny; iy++) for (let ix = 0; ix < nx; ix++) {
    const v = zAt(ix, iy);
    if (v !== null && (best === null || sign * v > sign * best.v)) best = { ix, iy, v };
  }
  const bestParts: string[] = [];
  let bestText = '';
  if (best) {
    const p = project(U(best.ix), V(best.iy), Wz(best.v));
    bestText = `best at epoch ${frame.epoch}: ${s.x}=${showValue(s.xc.centres[best.ix])} ${s.y}=${showValue(s.yc.centres[best.iy])} → ${showValue(best.v)}`;
    bestParts.push(el('circle', { class: 'best', cx: f2(p.x), cy: f2(p.y), r: 5, fill: 'none', stroke: '#d62728', 'stroke-width': 2 }), el('line', { x1: f2(p.x), y1: f2(p.y - 5), x2: f2(p.x), y2: f2(p.y - 26), stroke: '#d62728', 'stroke-width': 1.2 }));
  }
  const body = [
    ...parts,
    el('g', { class: 'surface' }, ...quads.map((q) => q.svg)),
    el('g', { class: 'points' }, ...dots),
    el('g', { class: 'floor-ticks' }, ...tickParts),
    ...bestParts,
    text(20, 24, `epoch ${frame.epoch}`, { class: 'title' }),
    text(20, 42, truncate(bestText, 90), { class: 'note' }),
    colorLegend({ scale: o.colors, x: W - 130, y: 90, height: H - 170, label: o.metric, idPrefix: o.id }),
  ].join('');
  const title = `${o.metric} over ${s.x} × ${s.y} at epoch ${frame.epoch}`;
  const desc = `${s.grid ? '3D surface' : '3D scatter (continuous params), stems to the floor'} (static projection) of the mean ${o.metric} per cell at epoch ${frame.epoch}; one colour scale and height range for every epoch.`;
  return svgDocument({ id: o.id, width: W, height: H, title, desc }, body);
}

/** A chart with several frames (one per epoch) that the page shows one at a time with an epoch selector. */
export interface FramedChart extends Chart {
  readonly frames: readonly { readonly label: string; readonly id: string; readonly svg: string }[];
}

/**
 * The objective surface over two params at several epochs, from the stored per-epoch metrics: one static 3D projection
 * per epoch on shared axes, colours and heights. Null when the points have no per-epoch values on a 2 × 2 grid.
 */
export function surfaceChart(
  data: ReportData,
  points: readonly CurvePoint[],
  x: string,
  y: string,
  o: { id?: string; note?: string; maxEpochs?: number } = {},
): FramedChart | null {
  const id = o.id ?? 'surface';
  const s = epochSurfaces(points, x, y, data, o.maxEpochs ?? 4);
  if (!s) return null;
  const all = s.frames.flatMap((f) => f.z.flat().filter((v): v is number => v !== null));
  const colors = valueColorScale(all, data.direction);
  const zRange = [min(all) ?? NaN, max(all) ?? NaN] as const;
  const frames = s.frames.map((f) => {
    const fid = `${id}-epoch-${f.epoch}`;
    return { label: `epoch ${f.epoch}`, id: fid, svg: surfaceFrameSvg(s, f, { id: fid, metric: data.metric, zRange, colors, direction: data.direction }) };
  });
  const last = frames[frames.length - 1] as (typeof frames)[number];
  const title = `${data.metric} ${s.grid ? 'surface' : 'by configuration'} over ${x} × ${y} by epoch (3D)`;
  const what = s.grid ? `Mean ${data.metric} per cell` : `${data.metric} of each configuration (continuous params: a 3D scatter with stems to the floor, not a surface)`;
  const caption = `${what} at epochs ${s.frames.map((f) => f.epoch).join(', ')}${o.note ? ` (${o.note})` : ''}, as a static 3D projection; pick the epoch above the figure. ` +
    'Heights and colours share one scale across epochs (brighter is better); a cell counts the runs that reached that epoch (pruned ones up to where they stopped). Hover a point for its value.';
  return { id, title, caption, svg: last.svg, frames };
}

/** Per-epoch points of a report: every trial with the metric per step (stage-1 entries only for a zone study, whose grid the surface is). */
export function curvePoints(data: ReportData): CurvePoint[] {
  const zone = data.trials.some((t) => t.stage === 'zones');
  return data.trials
    .filter((t) => !zone || t.stage === 'zones')
    .map((t) => ({
      params: t.params,
      steps: t.steps.flatMap((st) => {
        const v = st.metrics[data.metric];
        return v !== undefined && Number.isFinite(v) ? [{ step: st.step, value: v }] : [];
      }),
    }))
    .filter((p) => p.steps.length > 0);
}
