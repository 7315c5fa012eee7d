import type { ParamValue, Params } from '../core/types.js';
import type { Distribution, DistributionSpec } from './distribution.js';

/**
 * When a parameter exists: its parent has one of `values`, or (depth-style, `units_3` when `num_layers` ≥ 3)
 * a number ≥ `min`. Exactly one of the two is set. A parameter whose parent is inactive is inactive too.
 */
export type ConditionSpec =
  | { readonly parent: string; readonly values: readonly ParamValue[] }
  | { readonly parent: string; readonly min: number };

/** A parameter's spec as stored: its distribution, plus its condition when it has one. */
export type ParamSpec = DistributionSpec & { readonly when?: ConditionSpec };

/** Whether the parent's value (undefined: the parent is absent) makes the child exist. */
export function conditionHolds(c: ConditionSpec, v: ParamValue | undefined): boolean {
  if (v === undefined) return false;
  return 'min' in c ? typeof v === 'number' && v >= c.min : c.values.includes(v);
}

/** The condition as a reader says it: "`num_layers` ≥ 3", "`model` is cnn". */
export function describeCondition(c: ConditionSpec): string {
  return 'min' in c ? `\`${c.parent}\` ≥ ${c.min}` : `\`${c.parent}\` is ${c.values.map((v) => JSON.stringify(v)).join(' or ')}`;
}

/**
 * What is wrong with the conditions of a space, naming the path (`space.units_3`), or null. Checks: the parent
 * exists, no cycle, and the parent can take a value that satisfies the condition (every listed value must be
 * one of the parent's, so a typo is not silently a branch that never runs).
 */
export function conditionProblem(dists: ReadonlyMap<string, Distribution>, conditions: ReadonlyMap<string, ConditionSpec>): string | null {
  for (const [name, c] of conditions) {
    const where = `\`space.${name}\``;
    const parent = dists.get(c.parent);
    if (c.parent === name) return `${where} depends on itself`;
    if (!parent) return `${where} depends on \`${c.parent}\`, which is not in the space (it has ${[...dists.keys()].join(', ')})`;
    if ('min' in c) {
      if (!parent.ordered) return `${where} depends on \`${c.parent}\` ≥ ${c.min}, but \`${c.parent}\` is categorical; list the values instead`;
      const vals = parent.values();
      const top = vals !== null ? Math.max(...vals.map(Number)) : Number((parent.toJSON() as { high: number }).high);
      if (!(top >= c.min)) return `${where} depends on \`${c.parent}\`, which has no value ≥ ${c.min}`;
    } else {
      if (c.values.length === 0) return `${where} depends on \`${c.parent}\` with an empty list of values`;
      const bad = c.values.filter((v) => !parent.contains(v));
      if (bad.length > 0) return `${where} depends on \`${c.parent}\` being ${bad.map((v) => JSON.stringify(v)).join(', ')}, which \`${c.parent}\` never takes (${JSON.stringify(parent.toJSON())})`;
    }
  }
  // Cycles: follow parents from each parameter; a chain longer than the space revisits a name.
  for (const name of conditions.keys()) {
    const chain = [name];
    let at = conditions.get(name)?.parent;
    while (at !== undefined) {
      if (chain.includes(at)) return `\`space.${name}\` is in a cycle of conditions: ${[...chain, at].join(' → ')}`;
      chain.push(at);
      at = conditions.get(at)?.parent;
    }
  }
  return null;
}

/** Parents before children, otherwise in the given order (stable: an unconditional space keeps its order). */
export function activationOrder(names: readonly string[], conditions: ReadonlyMap<string, ConditionSpec>): string[] {
  const out: string[] = [];
  const placed = new Set<string>();
  const place = (n: string): void => {
    if (placed.has(n)) return;
    const p = conditions.get(n)?.parent;
    if (p !== undefined) place(p);
    placed.add(n);
    out.push(n);
  };
  for (const n of names) place(n);
  return out;
}

/** `params` without the parameters whose condition fails (in activation order, so a child follows its parent out). */
export function pruneInactive(order: readonly string[], conditions: ReadonlyMap<string, ConditionSpec>, params: Params): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const n of order) {
    const v = params[n];
    if (v === undefined) continue;
    const c = conditions.get(n);
    if (c && !conditionHolds(c, out[c.parent])) continue;
    out[n] = v;
  }
  return out;
}
