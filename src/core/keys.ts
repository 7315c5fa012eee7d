/** JSON with object keys sorted, for structural comparison. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(sortKeys(v));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(Object.keys(o).sort().map((k) => [k, sortKeys(o[k])]));
  }
  return v;
}

/** A canonical key of a configuration (sorted keys). */
export const paramsKey = (p: Readonly<Record<string, unknown>>): string => canonicalJson(p);

/** A canonical key of (params, seed, budget) for deduplication: keys sorted, JSON. */
export function planKey(plan: { params: Readonly<Record<string, unknown>>; seed: number; budget: number | null }): string {
  const keys = Object.keys(plan.params).sort();
  const ordered: Record<string, unknown> = {};
  for (const k of keys) ordered[k] = plan.params[k];
  return JSON.stringify([ordered, plan.seed, plan.budget]);
}
