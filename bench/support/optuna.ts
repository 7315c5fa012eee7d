import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Space } from '../../src/space/space.js';
import type { Direction, ParamValue, Params } from '../../src/core/types.js';
import { HyperzoneError, InputError } from '../../src/core/errors.js';
import { pythonPath } from './python.js';

/** Optuna samplers the bridge can create. */
export type OptunaSamplerName = 'random' | 'tpe' | 'tpe-multivariate' | 'nsga2' | 'motpe';

/** Optuna pruners the bridge can attach to a study (names and defaults as in optuna.pruners). */
export type OptunaPruner =
  | { type: 'median' }
  | { type: 'successive-halving'; min_resource?: number; reduction_factor?: number }
  | { type: 'hyperband'; min_resource?: number; max_resource: number; reduction_factor?: number };

/** A distribution in the bridge's JSON form (Optuna's Categorical/Float/IntDistribution). */
export type OptunaDistribution =
  | { type: 'categorical'; choices: ParamValue[] }
  | { type: 'float'; low: number; high: number; log?: boolean }
  | { type: 'int'; low: number; high: number; step?: number; log?: boolean };

/** How finite ordered domains are shown to Optuna: as unordered choices, or as a numeric range snapped back to the values. */
export type OptunaEncoding = 'categorical' | 'ordered';

/** A space as Optuna sees it, and the way back from Optuna's params to valid hyperzone params. */
export interface EncodedSpace {
  readonly distributions: Record<string, OptunaDistribution>;
  decode(params: Readonly<Record<string, unknown>>): Params;
}

/** Default path of bench/optuna_bridge.py, relative to this file. */
export const BRIDGE_SCRIPT = fileURLToPath(new URL('../optuna_bridge.py', import.meta.url));

/** Encodes a space for Optuna; `ordered` uses a log range where all values are positive and span a factor > 4. */
export function encodeSpaceForOptuna(space: Space, encoding: OptunaEncoding): EncodedSpace {
  const distributions: Record<string, OptunaDistribution> = {};
  const decoders = new Map<string, (v: unknown) => ParamValue>();
  for (const name of space.names) {
    const dist = space.get(name);
    const spec = dist.toJSON();
    const vals = dist.values();
    const numericOrdered = dist.ordered && vals !== null && vals.length > 1 && vals.every((v) => typeof v === 'number');
    if (spec.type === 'float' || (spec.type === 'int' && (encoding === 'ordered' || vals === null))) {
      distributions[name] = spec.type === 'float' ? { type: 'float', low: spec.low, high: spec.high, log: spec.log ?? false } : { type: 'int', low: spec.low, high: spec.high, step: spec.step ?? 1, log: spec.log ?? false };
      decoders.set(name, (v) => dist.fromUnit(dist.toUnit(v as ParamValue)));
    } else if (encoding === 'ordered' && numericOrdered) {
      const nums = (vals as number[]).slice().sort((a, b) => a - b);
      const lo = nums[0] as number, hi = nums[nums.length - 1] as number;
      const log = lo > 0 && hi / lo > 4;
      distributions[name] = { type: 'float', low: lo, high: hi, log };
      const f = log ? Math.log : (x: number): number => x;
      decoders.set(name, (v) => {
        const x = f(Number(v));
        let best = nums[0] as number;
        for (const c of nums) if (Math.abs(f(c) - x) < Math.abs(f(best) - x)) best = c;
        return best;
      });
    } else {
      if (vals === null) throw new InputError(`Parameter \`${name}\` has no finite values to offer Optuna as choices`);
      distributions[name] = { type: 'categorical', choices: [...vals] };
      decoders.set(name, (v) => {
        const hit = vals.find((c) => c === v);
        if (hit === undefined) throw new InputError(`Optuna returned ${JSON.stringify(v)} for \`${name}\`, not one of its choices`);
        return hit;
      });
    }
  }
  return {
    distributions,
    decode(params) {
      const out: Record<string, ParamValue> = {};
      for (const [n, dec] of decoders) out[n] = dec(params[n]);
      return out;
    },
  };
}

interface Reply { ok: boolean; error?: string; number?: number; params?: Record<string, unknown>; optuna?: string; prune?: boolean }

/** A running `optuna_bridge.py` process: create a study, then ask/tell over JSON lines. */
export class OptunaBridge {
  private readonly pending: { resolve: (r: Reply) => void; reject: (e: Error) => void }[] = [];
  private closed = false;
  private stderr = '';

  private constructor(private readonly proc: ChildProcessWithoutNullStreams) {
    createInterface({ input: proc.stdout }).on('line', (line) => {
      const p = this.pending.shift();
      if (!p) return;
      try { p.resolve(JSON.parse(line) as Reply); } catch (e) { p.reject(new HyperzoneError('RUNNER_ERROR', `Bad line from the Optuna bridge: ${line}`, { cause: e })); }
    });
    proc.stderr.on('data', (d: Buffer) => { this.stderr = (this.stderr + d.toString()).slice(-4000); });
    proc.on('exit', (code) => {
      this.closed = true;
      for (const p of this.pending.splice(0)) p.reject(new HyperzoneError('RUNNER_ERROR', `Optuna bridge exited with code ${code}: ${this.stderr.trim()}`));
    });
  }

  /** Starts the bridge with Debian's python (which has optuna; HZ_PYTHON overrides). */
  static start(script = BRIDGE_SCRIPT, python = pythonPath()): OptunaBridge {
    return new OptunaBridge(spawn(python, [script], { stdio: ['pipe', 'pipe', 'pipe'] }));
  }

  private async call(req: Record<string, unknown>): Promise<Reply> {
    if (this.closed) throw new HyperzoneError('RUNNER_ERROR', `Optuna bridge is closed: ${this.stderr.trim()}`);
    const reply = await new Promise<Reply>((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.proc.stdin.write(JSON.stringify(req) + '\n');
    });
    if (!reply.ok) throw new HyperzoneError('RUNNER_ERROR', `Optuna bridge: ${reply.error ?? 'unknown error'} (request ${JSON.stringify(req).slice(0, 200)})`);
    return reply;
  }

  /** Optuna's version string. */
  async version(): Promise<string> {
    return (await this.call({ op: 'version' })).optuna ?? 'unknown';
  }

  /** Starts a fresh study (replacing the previous one), optionally with a pruner. */
  async create(opts: {
    sampler: OptunaSamplerName; seed: number; direction: Direction; distributions: Record<string, OptunaDistribution>; pruner?: OptunaPruner | null;
  }): Promise<void> {
    await this.call({ op: 'create', ...opts });
  }

  /** Starts a fresh multi-objective study (samplers nsga2, motpe or random; `population` for nsga2, default 50). */
  async createMulti(opts: {
    sampler: OptunaSamplerName; seed: number; directions: readonly Direction[]; distributions: Record<string, OptunaDistribution>; population?: number;
  }): Promise<void> {
    await this.call({ op: 'create', ...opts });
  }

  /** Reports a multi-objective trial's values. */
  async tellValues(number: number, values: readonly number[]): Promise<void> {
    await this.call({ op: 'tell', number, values });
  }

  /** Reports an intermediate value; returns the pruner's should_prune() after it. */
  async report(number: number, step: number, value: number): Promise<boolean> {
    return (await this.call({ op: 'report', number, step, value })).prune === true;
  }

  /** Ends a trial as pruned. */
  async tellPruned(number: number): Promise<void> {
    await this.call({ op: 'tell', number, state: 'pruned' });
  }

  /** Asks for the next trial. */
  async ask(): Promise<{ number: number; params: Record<string, unknown> }> {
    const r = await this.call({ op: 'ask' });
    return { number: r.number ?? -1, params: r.params ?? {} };
  }

  /** Reports a trial's value. */
  async tell(number: number, value: number): Promise<void> {
    await this.call({ op: 'tell', number, value });
  }

  /** Ends the process. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.call({ op: 'close' }).catch(() => undefined);
    this.proc.stdin.end();
  }
}
