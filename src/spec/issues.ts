import type { z } from 'zod';
import { ACCEPTED_FORMS } from './schema.js';

type Issue = z.core.$ZodIssue;

/** A value as error messages show it: JSON, cut at 80 characters. */
export function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 80 ? s.slice(0, 77) + '...' : s;
}

/** `space.units[1]`-style path of a field. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const k of path) out += typeof k === 'number' ? `[${k}]` : out === '' ? String(k) : `.${String(k)}`;
  return out || '(root)';
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const k of path) value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[k as string] : undefined;
  return value;
}

/** The accepted forms of a field whose schema is a union (by its path with map keys and indices dropped). */
function formsOf(path: readonly PropertyKey[]): string | undefined {
  const full = fieldPath(path.filter((k) => typeof k === 'string'));
  if (ACCEPTED_FORMS[full]) return ACCEPTED_FORMS[full];
  // space.<name> and fixed.<name>: the map key is the user's param name; an element of a list is a param value.
  const section = String(path[0] ?? '');
  if (section === 'space' && typeof path[path.length - 1] === 'number') return ACCEPTED_FORMS['fixed'];
  return path.length === 2 ? ACCEPTED_FORMS[section] : undefined;
}

/**
 * Of a union's branches, the one the input was meant for: the branch whose first issue is deepest (a branch
 * failing at its root, "expected array, received object", was not meant).
 */
function meantBranch(issue: Extract<Issue, { code: 'invalid_union' }>): Issue | undefined {
  let best: Issue | undefined;
  for (const branch of issue.errors) {
    const first = branch[0];
    if (first === undefined) continue;
    if (first.path.length === 0 && first.code === 'invalid_type') continue;
    if (best === undefined || first.path.length > best.path.length) best = first;
  }
  return best === undefined ? undefined : { ...best, path: [...issue.path, ...best.path] };
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  int: 'an integer', number: 'a number', string: 'a string', boolean: 'true or false', object: 'an object', array: 'a list',
};

/** What a failed check expected, in words that complete "Expected `x` to be …"; null when the message says it best. */
function expectation(issue: Issue): string | null {
  const bound = (i: { minimum?: unknown; maximum?: unknown; inclusive?: boolean }, low: boolean): string => {
    const v = low ? i.minimum : i.maximum;
    return `${low ? (i.inclusive ? '≥' : '>') : i.inclusive ? '≤' : '<'} ${String(v)}`;
  };
  switch (issue.code) {
    case 'invalid_type':
      return TYPE_WORDS[issue.expected] ?? issue.expected;
    case 'too_small':
    case 'too_big': {
      const low = issue.code === 'too_small';
      if (issue.origin === 'array') return `a list of ${low ? 'at least' : 'at most'} ${String(low ? issue.minimum : issue.maximum)} item(s)`;
      if (issue.origin === 'string') return `${low ? 'at least' : 'at most'} ${String(low ? issue.minimum : issue.maximum)} character(s)`;
      return bound(issue as { minimum?: unknown; maximum?: unknown; inclusive?: boolean }, low);
    }
    default:
      // Custom and format checks carry their own "Expected …" sentence.
      return /^Expected /.test(issue.message) ? issue.message.replace(/^Expected /, '') : null;
  }
}

function expectedTypeText(issue: Issue): string {
  return issue.message.replace(/^Invalid input: /, '').replace(/, received \w+$/, '');
}

/** Turns a schema issue into one sentence naming the field, the value and, for unions, the accepted forms. */
export function describeIssue(issue: Issue, root: unknown): string {
  const field = fieldPath(issue.path);
  const value = valueAt(root, issue.path);
  if (issue.code === 'unrecognized_keys') {
    return `Unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `\`${field === '(root)' ? k : field + '.' + k}\``).join(', ')}`;
  }
  if (issue.code === 'invalid_union') {
    // A discriminated union whose `type` matched nothing: list the types.
    const options = (issue as { options?: unknown[] }).options;
    if (options !== undefined && options.length > 0) {
      return `Expected \`${field}\` to be one of ${options.map(String).join(', ')}, got ${show(value)}`;
    }
    const meant = meantBranch(issue);
    const forms = formsOf(issue.path);
    // A branch failing at the field itself (a bad enum value) is better told as the field's accepted forms.
    if (meant && !(forms !== undefined && meant.path.length === issue.path.length)) return describeIssue(meant, root);
    if (value === undefined) return `Missing field \`${field}\` (${forms ?? 'see the README'})`;
    return `Expected \`${field}\` to be ${forms ?? 'one of the forms in the README'}, got ${show(value)}`;
  }
  if (value === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value')) {
    const expected = issue.code === 'invalid_value' ? `one of ${issue.values.map(String).join(', ')}` : expectedTypeText(issue);
    // A field required by the kind its object names: "`sampler.trials` is required for random".
    const parent = valueAt(root, issue.path.slice(0, -1)) as { type?: unknown } | undefined;
    if (issue.path.length >= 2 && typeof parent?.type === 'string') return `\`${field}\` is required for ${parent.type} (${expected})`;
    return `Missing field \`${field}\` (${expected})`;
  }
  if (issue.code === 'invalid_value' && 'values' in issue) {
    return `Expected \`${field}\` to be one of ${issue.values.map((v) => (typeof v === 'string' ? v : show(v))).join(', ')}, got ${show(value)}`;
  }
  if (issue.code === 'invalid_key') {
    const inner = issue.issues[0];
    const words = inner ? expectation(inner) : null;
    return `Expected the name \`${field}\`${words ? ` to be ${words}` : `: ${inner?.message ?? issue.message}`}`;
  }
  const words = expectation(issue);
  if (words !== null) return `Expected \`${field}\` to be ${words}, got ${show(value)}`;
  return `Expected \`${field}\`: ${issue.message.replace(/^Invalid input: /, '')}, got ${show(value)}`;
}
