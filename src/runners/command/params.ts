import { z } from 'zod';
import { parseLrSchedule } from '../lr-schedule.js';
import { OPEN_CONTRACT, type ParamContract, type ParamRule } from '../param-contract.js';

const paramName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*(_\*)?$/, 'Expected a param name of letters, digits and underscores (`name_*` for name_1, name_2, …)');
const scalar = z.union([z.number(), z.string(), z.boolean()]);

/** One declared param of a command trainer: a type, with optional bounds (numbers) or allowed values. */
const paramDeclaration = z.strictObject({
  type: z.enum(['int', 'float', 'string', 'bool', 'lr_schedule']),
  min: z.number().optional(),
  max: z.number().optional(),
  values: z.array(scalar).min(1).optional(),
});

/**
 * `trainer.params` of a command trainer: absent (any param passes), a list of names (any value), or names with a
 * declaration each. A name `units_*` declares the family units_1, units_2, ….
 */
export const commandParamsSchema = z.union([z.array(paramName).min(1), z.record(paramName, paramDeclaration)]);
/** `trainer.params` of a command trainer, as written in a spec. */
export type CommandParamsSpec = z.infer<typeof commandParamsSchema>;
type Declaration = z.infer<typeof paramDeclaration>;

function ruleOfDeclaration(d: Declaration | null): ParamRule {
  if (d === null) return { schema: scalar, expected: 'a number, string or boolean' };
  if (d.values !== undefined) {
    const allowed = d.values;
    return { schema: scalar.refine((v) => allowed.includes(v)), expected: `one of ${d.values.map((v) => JSON.stringify(v)).join(', ')}` };
  }
  if (d.type === 'string') return { schema: z.string(), expected: 'a string' };
  if (d.type === 'bool') return { schema: z.boolean(), expected: 'true or false' };
  if (d.type === 'lr_schedule') {
    const ok = (v: string): boolean => {
      try {
        parseLrSchedule(v);
        return true;
      } catch {
        return false;
      }
    };
    return { schema: z.string().refine(ok), expected: "'none', 'step:N[:F]' or 'plateau:P[:F]' (N, P integers ≥ 1, 0 < F < 1)" };
  }
  let schema = d.type === 'int' ? z.number().int() : z.number().finite();
  if (d.min !== undefined) schema = schema.min(d.min);
  if (d.max !== undefined) schema = schema.max(d.max);
  const bounds = d.min !== undefined && d.max !== undefined ? ` in [${d.min}, ${d.max}]` : d.min !== undefined ? ` ≥ ${d.min}` : d.max !== undefined ? ` ≤ ${d.max}` : '';
  return { schema, expected: `${d.type === 'int' ? 'an integer' : 'a number'}${bounds}`, integer: d.type === 'int' };
}

/** The param contract of a command trainer: open when it declares nothing, else exactly the declared names. */
export function commandParamContract(declared: CommandParamsSpec | undefined): ParamContract {
  if (declared === undefined) return OPEN_CONTRACT;
  const entries: [string, Declaration | null][] = Array.isArray(declared) ? declared.map((n) => [n, null]) : Object.entries(declared);
  const params: Record<string, ParamRule> = {};
  const numbered: Record<string, ParamRule> = {};
  for (const [name, d] of entries) {
    if (name.endsWith('_*')) numbered[name.slice(0, -2)] = ruleOfDeclaration(d);
    else params[name] = ruleOfDeclaration(d);
  }
  return { trainer: 'command', params, numbered, open: false };
}
