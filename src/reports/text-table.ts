import { formatNumber } from './format.js';

/** A cell that reads as a number: digits with separators, an exponent, a unit suffix (%, s), or a non-finite value. */
const NUMERIC_CELL = /^(?:[-+]?[\d.,]+(?:e[-+]?\d+)?(?:%|s)?|NaN|-?Infinity)$/;

/**
 * Renders rows as an aligned plain-text table (numbers right-aligned). Non-integer numbers go through formatNumber;
 * integers are printed as given (trial numbers, pids), so a caller groups counts itself (`formatNumber(n)`).
 */
export function renderTable(headers: readonly string[], rows: readonly (readonly (string | number | null)[])[]): string {
  const cells = rows.map((r) => r.map((c) => (c === null ? '-' : typeof c === 'number' && !Number.isInteger(c) ? formatNumber(c) : String(c))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const numeric = headers.map((_, i) => rows.every((r) => r[i] === null || typeof r[i] === 'number' || NUMERIC_CELL.test(String(r[i]))));
  const line = (r: readonly string[]): string =>
    r.map((c, i) => (numeric[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

/** A duration in seconds as "42s", "3m05s" or "1h02m". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '-';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
