/** Significant digits of a non-integer number in text output (tables, status lines, progress). */
export const SIGNIFICANT_DIGITS = 4;

/** Options of formatNumber. */
export interface NumberFormat {
  /** Significant digits of non-integers (default SIGNIFICANT_DIGITS). */
  readonly digits?: number;
  /** Thousands separators on numbers ≥ 1000 (default true); off for values a user types back into a spec. */
  readonly grouping?: boolean;
  /** Drop trailing zeros (`0.001`, not `0.001000`); default false, so a column of metrics reads at one precision. */
  readonly trim?: boolean;
}

/**
 * The one number format of hyperzone's text output, so that tables never show `0.00040324729734820815`:
 * - integers in full, with thousands separators (`407,050`; `8192` without grouping);
 * - other numbers to 4 significant digits (`0.9587`, `0.8650`, `12.35`; with `trim`, `0.865`, `0.001`);
 * - below 0.001 in exponent form (`4.032e-4`), from 1000 up rounded to at least the integer (`12,346`);
 * - beyond 1e15 (where integers stop being exact) in exponent form (`1.5e21`); `NaN`, `Infinity`, `-Infinity`.
 */
export function formatNumber(v: number, o: NumberFormat = {}): string {
  const digits = o.digits ?? SIGNIFICANT_DIGITS;
  const grouping = o.grouping ?? true;
  const trim = o.trim ?? false;
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const abs = Math.abs(v);
  if (abs >= 1e15 || abs < 1e-3) return exponent(v, digits, trim);
  if (Number.isInteger(v)) return group(v, grouping);
  if (abs >= 1000) return group(abs >= 10 ** digits ? Math.round(v) : Number(v.toPrecision(digits)), grouping);
  const s = v.toPrecision(digits);
  return trim ? stripZeros(s) : s;
}

/** A trial's params as `name=value` pairs (numbers through formatNumber, ungrouped and trimmed: as a spec writes them). */
export function formatParams(params: Readonly<Record<string, unknown>>, separator = ' '): string {
  return Object.entries(params).map(([k, v]) => `${k}=${formatParamValue(v)}`).join(separator);
}

/** One param value: a number through formatNumber without grouping or trailing zeros, anything else as text. */
export function formatParamValue(v: unknown): string {
  return typeof v === 'number' ? formatNumber(v, { grouping: false, trim: true }) : String(v);
}

function group(v: number, grouping: boolean): string {
  return grouping ? v.toLocaleString('en-US', { maximumFractionDigits: 20 }) : String(v);
}

function exponent(v: number, digits: number, trim: boolean): string {
  const [mantissa = '', exp = ''] = v.toExponential(digits - 1).split('e');
  return `${trim ? stripZeros(mantissa) : mantissa}e${exp.replace(/^\+/, '')}`;
}

/** "0.9500" → "0.95", "1.000" → "1"; an integer part is left alone. */
function stripZeros(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}
