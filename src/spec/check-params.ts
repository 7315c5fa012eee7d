import { SpecError } from '../core/errors.js';
import { powerSeries } from '../space/distribution.js';
import { acceptedNames, ruleOf, type ParamContract, type ParamRule } from '../runners/param-contract.js';
import type { RawDistribution } from './schema.js';
import { show } from './issues.js';

/** Levenshtein distance, for "did you mean" on misspelt param names (names are short). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      cur[j] = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, substitution);
    }
    prev = cur;
  }
  return prev[b.length] as number;
}

function unknownParam(contract: ParamContract, field: string, name: string): SpecError {
  const names = acceptedNames(contract);
  const close = names.map((n) => n.replace(/…$/, '')).filter((n) => editDistance(n, name) <= Math.max(1, Math.floor(name.length / 4)));
  const hint = close.length > 0 ? ` (did you mean \`${close[0]}\`?)` : '';
  const declare = contract.trainer === 'command' ? '; declare it in `trainer.params`' : '';
  return new SpecError(`Unknown param \`${field}\`${hint}: the ${contract.trainer} trainer accepts ${names.join(', ')}${declare}`);
}

function checkValue(rule: ParamRule, field: string, value: unknown): void {
  if (rule.schema.safeParse(value).success) return;
  const why = rule.why?.(value);
  throw new SpecError(`Expected \`${field}\` to be ${rule.expected}, got ${show(value)}${why ? `: ${why}` : ''}`);
}

/** Every value (with its field path) a raw distribution can take, or whose bounds decide them. */
function valuesOf(field: string, d: RawDistribution, rule: ParamRule): [string, unknown][] {
  if (Array.isArray(d)) return d.map((v, i) => [`${field}[${i}]`, v]);
  switch (d.type) {
    case 'int':
      return [[`${field}.low`, d.low], [`${field}.high`, d.high]];
    case 'float':
      if (rule.integer) throw new SpecError(`Expected \`${field}\` to be ${rule.expected}: use \`type: int\`, a series or a list, got \`type: float\``);
      return [[`${field}.low`, d.low], [`${field}.high`, d.high]];
    case 'categorical':
      return d.choices.map((v, i) => [`${field}.choices[${i}]`, v]);
    case 'series':
      if (d.values !== undefined) return d.values.map((v, i) => [`${field}.values[${i}]`, v]);
      if (d.from === undefined || d.to === undefined || d.to < d.from) return [];
      return powerSeries(d.from, d.to, d.base ?? 2, d.midpoints ?? false).map((v) => [field, v]);
  }
}

/**
 * Checks the params of a study against its trainer's contract: every name in `space` and `fixed` is one the
 * trainer accepts, every value the space can take (list elements, range bounds) satisfies the param's schema,
 * and the set of names satisfies the trainer's own rules. Throws SpecError naming the field and the value.
 */
export function checkParams(contract: ParamContract, space: Readonly<Record<string, RawDistribution>>, fixed: Readonly<Record<string, unknown>>): void {
  for (const [name, d] of Object.entries(space)) {
    const rule = ruleOf(contract, name);
    if (rule === null) throw unknownParam(contract, `space.${name}`, name);
    if (rule === undefined) continue;
    for (const [field, v] of valuesOf(`space.${name}`, d, rule)) checkValue(rule, field, v);
  }
  for (const [name, v] of Object.entries(fixed)) {
    const rule = ruleOf(contract, name);
    if (rule === null) throw unknownParam(contract, `fixed.${name}`, name);
    if (rule !== undefined) checkValue(rule, `fixed.${name}`, v);
  }
  const why = contract.checkNames?.(new Set([...Object.keys(space), ...Object.keys(fixed)]));
  if (why) throw new SpecError(why);
}
