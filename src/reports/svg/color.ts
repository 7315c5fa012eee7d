import { extent } from 'd3-array';
import { scaleSequential } from 'd3-scale';
import { interpolateViridis, schemeTableau10 } from 'd3-scale-chromatic';
import type { Direction } from '../../core/types.js';

/** Viridis (d3-scale-chromatic): perceptually uniform, readable in grey and by most colour-blind readers. */
export const viridis: (t: number) => string = interpolateViridis;

/** Viridis at nine evenly spaced stops (the colour legend's gradient stops). */
export const VIRIDIS: readonly string[] = Array.from({ length: 9 }, (_, i) => interpolateViridis(i / 8));

/** Ten distinct colours for series (Tableau 10, d3-scale-chromatic's schemeTableau10). */
export const CATEGORICAL: readonly string[] = schemeTableau10;

/** The viridis colour at t ∈ [0, 1]; t outside is clamped, NaN is grey. */
export function rampColor(t: number): string {
  if (!Number.isFinite(t)) return '#999999';
  return interpolateViridis(Math.min(1, Math.max(0, t)));
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
  const [lo, hi] = extent(values.filter(Number.isFinite));
  const min = lo ?? 0;
  const max = hi ?? 1;
  // d3's sequential scale: the domain runs from the worst value to the best, clamped to the ramp's ends.
  const ramp = scaleSequential(interpolateViridis).domain(direction === 'maximize' ? [min, max] : [max, min]).clamp(true);
  const position = (v: number): number => {
    if (!Number.isFinite(v)) return NaN;
    if (max === min) return 1;
    const t = (v - min) / (max - min);
    return direction === 'maximize' ? t : 1 - t;
  };
  return { min, max, direction, position, color: (v) => (!Number.isFinite(v) ? '#999999' : max === min ? rampColor(1) : ramp(v)) };
}

const rgb = (h: string): [number, number, number] => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];

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
