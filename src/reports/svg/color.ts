import type { Direction } from '../../core/types.js';

/** Viridis at nine evenly spaced stops: perceptually uniform, readable in grey and by most colour-blind readers. */
export const VIRIDIS: readonly string[] = ['#440154', '#472d7b', '#3b528b', '#2c728e', '#21918c', '#28ae80', '#5ec962', '#addc30', '#fde725'];

/** Ten distinct colours for series (Tableau 10). */
export const CATEGORICAL: readonly string[] = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

const hex2 = (n: number): string => Math.round(Math.min(255, Math.max(0, n))).toString(16).padStart(2, '0');
const rgb = (h: string): [number, number, number] => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];

/** The colour at t ∈ [0, 1] of a ramp of stops (linear interpolation in RGB); t outside is clamped, NaN is grey. */
export function rampColor(t: number, stops: readonly string[] = VIRIDIS): string {
  if (!Number.isFinite(t)) return '#999999';
  const x = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const a = rgb(stops[i] as string);
  const b = rgb(stops[i + 1] as string);
  return `#${hex2(a[0] + (b[0] - a[0]) * f)}${hex2(a[1] + (b[1] - a[1]) * f)}${hex2(a[2] + (b[2] - a[2]) * f)}`;
}

/** A colour scale for objective values: the better end is bright (yellow) for either direction. */
export interface ValueColorScale {
  readonly min: number;
  readonly max: number;
  readonly direction: Direction;
  /** Position in [0, 1] on the ramp: 1 = best of the range. */
  position(v: number): number;
  color(v: number): string;
}

/** A colour scale over the finite values given; better values (larger when maximizing, smaller when minimizing) are brighter. */
export function valueColorScale(values: readonly number[], direction: Direction): ValueColorScale {
  const fin = values.filter(Number.isFinite);
  const min = fin.length ? Math.min(...fin) : 0;
  const max = fin.length ? Math.max(...fin) : 1;
  const position = (v: number): number => {
    if (!Number.isFinite(v)) return NaN;
    const t = max === min ? 1 : (v - min) / (max - min);
    return direction === 'maximize' ? t : 1 - t;
  };
  return { min, max, direction, position, color: (v) => rampColor(position(v)) };
}

/** WCAG relative luminance of a #rrggbb colour. */
export function luminance(color: string): number {
  const lin = (c: number): number => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  const [r, g, b] = rgb(color);
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG contrast ratio of two #rrggbb colours (1–21; 4.5 is the minimum for small text). */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** Black or white, whichever has the higher contrast on a background colour (WCAG relative luminance). */
export function textColorOn(background: string): string {
  return contrastRatio('#000000', background) >= contrastRatio('#ffffff', background) ? '#000000' : '#ffffff';
}
