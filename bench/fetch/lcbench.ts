// YAHPO Gym's LCBench files: all but one are used as published; the min/max statistics are cut from YAHPO's table
// of every scenario.
import { DatasetError } from '../../src/core/errors.js';

/**
 * The LCBench rows of YAHPO's `global_statistics/instance_target_statistics.csv` (columns metric, statistic, value,
 * scenario, instance), with its header: `target_statistics.csv`, which bench/objectives/yahpo-lcbench.ts reads to
 * normalise regrets.
 */
export function lcbenchTargetStatistics(csv: string, source: string): string {
  const lines = csv.split('\n').filter((l) => l !== '');
  const header = lines[0] ?? '';
  const scenario = header.split(',').indexOf('scenario');
  if (scenario < 0) throw new DatasetError(`Expected a \`scenario\` column in ${source}; the header is ${JSON.stringify(header)}`);
  const rows = lines.slice(1).filter((l) => l.split(',')[scenario] === 'lcbench');
  if (rows.length === 0) throw new DatasetError(`No lcbench rows in ${source}`);
  return [header, ...rows].join('\n') + '\n';
}
