import type { z } from 'zod';

/** One declared trainer param: the schema each value must satisfy, and the accepted values in words. */
export interface ParamRule {
  /** Checks one value the param can take. */
  readonly schema: z.ZodType;
  /** Completes "Expected `space.x` to be …": e.g. "an integer ≥ 1", "one of relu, tanh". */
  readonly expected: string;
  /** Whether only integers are accepted: a `float` distribution over the param is refused at start. */
  readonly integer?: boolean;
  /** Why a refused value is wrong, beyond `expected` (e.g. which token of a model string): appended to the error. */
  readonly why?: (value: unknown) => string | null;
}

/**
 * The params a trainer accepts (each runner owns one): named params, numbered families (`units_1`, `units_2`, …
 * declared under their stem `units`), whether params it does not name are accepted, and rules over the set of
 * names a study gives (e.g. a param the trainer cannot do without).
 */
export interface ParamContract {
  /** The trainer, as error messages name it ("the tfjs trainer"). */
  readonly trainer: string;
  readonly params: Readonly<Record<string, ParamRule>>;
  /** Families `stem_k` (k ≥ 1) sharing one rule, keyed by stem. */
  readonly numbered: Readonly<Record<string, ParamRule>>;
  /** Whether names outside `params` and `numbered` are accepted (a command trainer that declares nothing). */
  readonly open: boolean;
  /** Checks the set of param names a study gives (space and fixed together); returns why it is refused, or null. */
  readonly checkNames?: (names: ReadonlySet<string>) => string | null;
}

/** A contract that accepts every param (a trainer that declares none). */
export const OPEN_CONTRACT: ParamContract = { trainer: 'command', params: {}, numbered: {}, open: true };

/** The rule of a param name, null when the contract does not know it (undefined: open contract, anything goes). */
export function ruleOf(contract: ParamContract, name: string): ParamRule | null | undefined {
  const own = Object.hasOwn(contract.params, name) ? contract.params[name] : undefined;
  if (own) return own;
  const m = /^(.+)_(\d+)$/.exec(name);
  if (m && Number(m[2]) >= 1 && Object.hasOwn(contract.numbered, m[1] as string)) return contract.numbered[m[1] as string];
  return contract.open ? undefined : null;
}

/** The names a contract accepts, for messages: `units, units_1…, dropout`. */
export function acceptedNames(contract: ParamContract): string[] {
  const names = Object.keys(contract.params);
  for (const stem of Object.keys(contract.numbered)) {
    const at = names.indexOf(stem);
    if (at >= 0) names.splice(at + 1, 0, `${stem}_1…`);
    else names.push(`${stem}_1…`);
  }
  return names;
}
