import { InputError } from '../../core/errors.js';
import { mergeResultSets, readResultSet, writeResultSet } from '../../results/index.js';

/** `hyperzone merge A.json B.json ... --out M.json`: merges result sets from several machines, deduplicated by (params, seed, budget). */
export async function mergeCommand(inputs: string[], flags: { out?: string }): Promise<number> {
  if (inputs.length < 2) throw new InputError(`Expected at least two result sets to merge, got ${inputs.length}`);
  if (!flags.out) throw new InputError('Missing `--out FILE` for the merged result set');
  const sets = await Promise.all(inputs.map((p) => readResultSet(p)));
  let merged = sets[0]!;
  let count = merged.entries.length;
  for (const s of sets.slice(1)) {
    merged = mergeResultSets(merged, s);
    count += s.entries.length;
  }
  await writeResultSet(flags.out, merged);
  process.stderr.write(`merged ${inputs.length} result sets: ${count} entries in, ${merged.entries.length} distinct out → ${flags.out}\n`);
  return 0;
}
