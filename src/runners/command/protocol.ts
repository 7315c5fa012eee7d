import type { Metrics } from '../../core/types.js';

/** One parsed protocol line of a command trial's stdout. */
export type ProtocolLine =
  | { readonly kind: 'step'; readonly step: number; readonly metrics: Metrics }
  | { readonly kind: 'final'; readonly metrics: Metrics };

/** The result of parsing a protocol line: the line, or why it is malformed. */
export type ParseResult = { readonly ok: true; readonly line: ProtocolLine } | { readonly ok: false; readonly error: string };

/** Whether a stdout line is meant as a protocol line: a JSON object with a key, i.e. it starts with `{"` (spaces allowed). */
export function isProtocolLine(line: Buffer): boolean {
  let i = 0;
  while (i < line.length && (line[i] === 32 || line[i] === 9)) i++;
  if (line[i] !== 123) return false; // '{'
  i++;
  while (i < line.length && (line[i] === 32 || line[i] === 9)) i++;
  return line[i] === 34; // '"'
}

const NON_FINITE_MARK = '__hz_non_finite__:';
// Python's json.dumps writes NaN/Infinity as bare words, which JSON.parse rejects; mark them so the error can name the key.
const BARE_NON_FINITE = /([:,[]\s*)(-?Infinity|NaN)(?=\s*[,}\]])/g;

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    try {
      return { ok: true, value: JSON.parse(text.replace(BARE_NON_FINITE, (_m, pre: string, word: string) => `${pre}"${NON_FINITE_MARK}${word}"`)) };
    } catch {
      return { ok: false };
    }
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Collects the numeric metrics of an object. Non-finite numbers are an error; strings and booleans are notes
 * (`"device": "cpu"`) and are skipped, except under the objective metric's key, where only a number will do.
 */
type Collected = { ok: true; metrics: Metrics } | { ok: false; error: string };

function collectMetrics(obj: Record<string, unknown>, skip: string, objective: string | undefined): Collected {
  const metrics: Record<string, number> = {};
  for (const [key, v] of Object.entries(obj)) {
    if (key === skip) continue;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return { ok: false, error: `non-finite metric \`${key}\`: ${v}` };
      metrics[key] = v;
    } else if (v === null) {
      return { ok: false, error: `non-finite metric \`${key}\`: null` };
    } else if (typeof v === 'string' && v.startsWith(NON_FINITE_MARK)) {
      return { ok: false, error: `non-finite metric \`${key}\`: ${v.slice(NON_FINITE_MARK.length)}` };
    } else if (key === objective) {
      return { ok: false, error: `Expected the objective metric \`${key}\` to be a number, got ${JSON.stringify(v)}` };
    } else if (typeof v !== 'string' && typeof v !== 'boolean') {
      return { ok: false, error: `metric \`${key}\` must be a number, got ${JSON.stringify(v)}` };
    }
  }
  return { ok: true, metrics };
}

/**
 * Parses a line that `isProtocolLine` accepted: `{"step": n, ...metrics}` or `{"final": {...metrics}}`. With
 * `metric` (the study's objective), a non-number under that key is an error rather than a skipped note.
 */
export function parseProtocolLine(text: string, options: { readonly metric?: string } = {}): ParseResult {
  // Control and binary bytes of a bad line are shown escaped (\u0000), never raw, in the error a trial stores and prints.
  const shown = (text.length > 200 ? `${text.slice(0, 200)}…` : text).replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const parsed = parseJson(text);
  if (!parsed.ok || !isPlainObject(parsed.value)) return { ok: false, error: `malformed JSON metric line: ${shown}` };
  const obj = parsed.value;
  if ('final' in obj) {
    if ('step' in obj) return { ok: false, error: `a metric line has both "step" and "final": ${shown}` };
    if (!isPlainObject(obj.final)) return { ok: false, error: `Expected "final" to be an object of metrics, got ${JSON.stringify(obj.final)}` };
    const m = collectMetrics(obj.final, '', options.metric);
    return m.ok ? { ok: true, line: { kind: 'final', metrics: m.metrics } } : m;
  }
  if (!('step' in obj)) return { ok: false, error: `a JSON metric line needs a "step" or a "final" key: ${shown}` };
  const step = obj.step;
  if (typeof step !== 'number' || !Number.isInteger(step) || step < 0) {
    return { ok: false, error: `Expected "step" to be an integer ≥ 0, got ${JSON.stringify(step)}` };
  }
  const m = collectMetrics(obj, 'step', options.metric);
  return m.ok ? { ok: true, line: { kind: 'step', step, metrics: m.metrics } } : m;
}
