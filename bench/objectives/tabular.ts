import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { CategoricalDistribution, SeriesDistribution, type Distribution } from '../../src/space/distribution.js';
import { Space } from '../../src/space/space.js';
import type { Direction, ParamValue, Params } from '../../src/core/types.js';
import type { Rng } from '../../src/core/rng.js';
import { DatasetError, InputError } from '../../src/core/errors.js';

/** How to read a long-form table: one row per configuration × seed (× fidelity). */
export interface TabularOptions {
  /** The metric column that is the objective. */
  readonly metric: string;
  /** Whether the metric is to be minimised or maximised. */
  readonly direction: Direction;
  /** The column holding the repetition seed (default `seed`). */
  readonly seedColumn?: string;
  /** A fidelity column (epochs, ...); only rows at `fidelity` are kept. */
  readonly fidelityColumn?: string;
  /** The fidelity value to keep (default: the largest present). */
  readonly fidelity?: number;
  /** The parameter columns (default: every column except seed, fidelity, metric and `ignore`). */
  readonly params?: readonly string[];
  /** Columns to skip when inferring the parameters (other metrics). */
  readonly ignore?: readonly string[];
}

const SEP = '\u0001';

/** Splits one CSV line; quoted fields with doubled quotes are handled. */
export function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quoted) {
      if (ch === '"') {
        if (line[i + 1] === '"') { cur += '"'; i++; } else quoted = false;
      } else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { out.push(cur); cur = ''; }
    else cur += ch;
  }
  out.push(cur);
  return out;
}

/** Reads the lines of a (possibly gzip) text file, streaming. */
async function* readLines(path: string): AsyncGenerator<string> {
  const file = createReadStream(path);
  const stream = path.endsWith('.gz') ? file.pipe(createGunzip()) : file;
  file.on('error', (e) => stream.destroy(e));
  let rest = '';
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const text = rest + chunk.toString('utf8');
    const lines = text.split('\n');
    rest = lines.pop() ?? '';
    for (const l of lines) yield l;
  }
  if (rest.length > 0) yield rest;
}

const canonicalNumber = (s: string): number | null => {
  if (s.trim() === '') return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
};

/**
 * A tabular benchmark: every configuration of a grid evaluated with several seeds.
 * A noisy evaluation returns one seed's value; the true value is the mean over seeds.
 */
export class TabularObjective {
  /** The inferred search space (numbers → ordered series, strings → categorical). */
  readonly space: Space;
  /** The objective direction. */
  readonly direction: Direction;
  /** Number of distinct configurations. */
  readonly size: number;
  private readonly index = new Map<string, number>();
  private readonly seedValues: number[][];
  private readonly trueValues: Float64Array;
  /** True values as "lower is better" scores, sorted ascending. */
  private readonly sortedScores: Float64Array;
  private readonly bestIdx: number;
  private readonly configs: Params[];

  private constructor(space: Space, direction: Direction, configs: Params[], keys: string[], seedValues: number[][]) {
    this.space = space;
    this.direction = direction;
    this.configs = configs;
    this.seedValues = seedValues;
    this.size = configs.length;
    keys.forEach((k, i) => this.index.set(k, i));
    this.trueValues = new Float64Array(seedValues.map((vs) => vs.reduce((a, b) => a + b, 0) / vs.length));
    const sign = direction === 'minimize' ? 1 : -1;
    this.sortedScores = this.trueValues.map((v) => sign * v).sort();
    let best = 0;
    for (let i = 1; i < this.size; i++) if (sign * (this.trueValues[i] as number) < sign * (this.trueValues[best] as number)) best = i;
    this.bestIdx = best;
  }

  /** Loads a long CSV (optionally .gz) by streaming it line by line. */
  static async load(path: string, options: TabularOptions): Promise<TabularObjective> {
    try {
      return await TabularObjective.fromLines(readLines(path), options, path);
    } catch (e) {
      if (e instanceof InputError) throw e;
      throw new DatasetError(`Cannot read tabular benchmark \`${path}\`: ${String(e)}`, { cause: e });
    }
  }

  /** Builds an objective from CSV text already in memory (tests, small tables). */
  static async fromCsvText(text: string, options: TabularOptions): Promise<TabularObjective> {
    async function* lines(): AsyncGenerator<string> { yield* text.split('\n'); }
    return TabularObjective.fromLines(lines(), options, '<text>');
  }

  private static async fromLines(lines: AsyncIterable<string>, opt: TabularOptions, source: string): Promise<TabularObjective> {
    let header: string[] | null = null;
    let paramCols: number[] = [];
    let fidCol = -1, metricCol = -1;
    const rows: { key: string; fields: string[]; value: number; fid: number }[] = [];
    let lineNo = 0;
    for await (const raw of lines) {
      lineNo++;
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (line.trim() === '') continue;
      const fields = splitCsvLine(line);
      if (header === null) {
        header = fields.map((f) => f.trim());
        const h = header;
        const col = (name: string, what: string): number => {
          const i = h.indexOf(name);
          if (i < 0) throw new DatasetError(`Expected ${what} column \`${name}\` in ${source}; columns are ${h.join(', ')}`);
          return i;
        };
        metricCol = col(opt.metric, 'metric');
        const seedCol = col(opt.seedColumn ?? 'seed', 'seed');
        if (opt.fidelityColumn !== undefined) fidCol = col(opt.fidelityColumn, 'fidelity');
        const skip = new Set([metricCol, seedCol, fidCol, ...(opt.ignore ?? []).map((n) => col(n, 'ignored'))]);
        paramCols = opt.params ? opt.params.map((n) => col(n, 'parameter')) : h.map((_, i) => i).filter((i) => !skip.has(i));
        if (paramCols.length === 0) throw new DatasetError(`No parameter columns in ${source}`);
        continue;
      }
      if (fields.length !== header.length) throw new DatasetError(`Line ${lineNo} of ${source} has ${fields.length} fields, expected ${header.length}`);
      const value = Number(fields[metricCol]);
      if (!Number.isFinite(value)) continue; // diverged runs: no value to learn from
      const fid = fidCol >= 0 ? Number(fields[fidCol]) : 0;
      const pf = paramCols.map((c) => (fields[c] as string).trim());
      rows.push({ key: pf.join(SEP), fields: pf, value, fid });
    }
    if (header === null || rows.length === 0) throw new DatasetError(`No data rows in ${source}`);
    let kept = rows;
    if (fidCol >= 0) {
      const target = opt.fidelity ?? rows.reduce((m, r) => Math.max(m, r.fid), -Infinity);
      kept = rows.filter((r) => r.fid === target);
      if (kept.length === 0) throw new InputError(`No rows with \`${opt.fidelityColumn}\` = ${target} in ${source}`);
    }
    const names = paramCols.map((c) => (header as string[])[c] as string);
    // Infer each column's domain: all-numeric → ordered series of the distinct values.
    const numeric = names.map((_, j) => kept.every((r) => canonicalNumber(r.fields[j] as string) !== null));
    const dists = new Map<string, Distribution>();
    names.forEach((n, j) => {
      if (numeric[j]) {
        const vals = [...new Set(kept.map((r) => Number(r.fields[j])))].sort((a, b) => a - b);
        dists.set(n, new SeriesDistribution(vals));
      } else {
        const vals = [...new Set(kept.map((r) => r.fields[j] as string))].sort();
        dists.set(n, new CategoricalDistribution(vals));
      }
    });
    const byKey = new Map<string, number>();
    const configs: Params[] = [];
    const keys: string[] = [];
    const seedValues: number[][] = [];
    for (const r of kept) {
      let i = byKey.get(r.key);
      if (i === undefined) {
        i = configs.length;
        const p: Record<string, ParamValue> = {};
        names.forEach((n, j) => (p[n] = numeric[j] ? Number(r.fields[j]) : (r.fields[j] as string)));
        byKey.set(r.key, i);
        configs.push(p);
        keys.push(TabularObjective.keyOf(names, p));
        seedValues.push([]);
      }
      (seedValues[i] as number[]).push(r.value);
    }
    return new TabularObjective(new Space(dists), opt.direction, configs, keys, seedValues);
  }

  private static keyOf(names: readonly string[], p: Params): string {
    return names.map((n) => String(p[n])).join(SEP);
  }

  private find(params: Params): number {
    const i = this.index.get(TabularObjective.keyOf(this.space.names, params));
    if (i === undefined) throw new InputError(`Configuration ${JSON.stringify(params)} is not in the table`);
    return i;
  }

  /** One noisy evaluation: the value of a seed drawn at random. */
  evaluate(params: Params, rng: Rng): number {
    const vs = this.seedValues[this.find(params)] as number[];
    return vs[Math.floor(rng.next() * vs.length)] as number;
  }

  /** The true value of a configuration: its mean over seeds. */
  trueValue(params: Params): number {
    return this.trueValues[this.find(params)] as number;
  }

  /** Per-seed values of a configuration. */
  seedValuesOf(params: Params): readonly number[] {
    return this.seedValues[this.find(params)] as number[];
  }

  /** Share of configurations whose true value is strictly better (0 = the optimum). */
  rankRegret(params: Params): number {
    const v = this.trueValues[this.find(params)] as number;
    const s = this.direction === 'minimize' ? v : -v;
    let lo = 0, hi = this.sortedScores.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.sortedScores[mid] as number) < s) lo = mid + 1; else hi = mid;
    }
    return lo / this.size;
  }

  /** The configuration with the best true value and that value. */
  best(): { params: Params; value: number } {
    return { params: this.configs[this.bestIdx] as Params, value: this.trueValues[this.bestIdx] as number };
  }

  /** Every configuration in table order. */
  configurations(): readonly Params[] {
    return this.configs;
  }
}
