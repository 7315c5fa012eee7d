import { FloatDistribution, type Distribution } from '../../src/space/distribution.js';
import { Space } from '../../src/space/space.js';
import type { Params } from '../../src/core/types.js';
import { InputError } from '../../src/core/errors.js';

/** A synthetic objective with a known global minimum, for checking samplers end to end. */
export interface TestFunction {
  /** Short name, e.g. `branin` or `hartmann6`. */
  readonly name: string;
  /** Number of inputs. */
  readonly dim: number;
  /** The domain, with parameters named x0, x1, ... */
  readonly space: Space;
  /** The global minimum value. */
  readonly optimum: number;
  /** One point where the minimum is reached. */
  readonly minimiser: readonly number[];
  /** The function on a coordinate vector. */
  f(x: readonly number[]): number;
  /** The function on a configuration from `space`. */
  evaluate(params: Params): number;
}

function boxSpace(dim: number, low: number, high: number): Space {
  const m = new Map<string, Distribution>();
  for (let i = 0; i < dim; i++) m.set(`x${i}`, new FloatDistribution(low, high));
  return new Space(m);
}

function make(name: string, space: Space, optimum: number, minimiser: number[], f: (x: readonly number[]) => number): TestFunction {
  const dim = space.names.length;
  return {
    name,
    dim,
    space,
    optimum,
    minimiser,
    f,
    evaluate(params: Params): number {
      return f(space.names.map((n) => {
        const v = params[n];
        if (typeof v !== 'number') throw new InputError(`Expected \`${n}\` to be a number, got ${JSON.stringify(v)}`);
        return v;
      }));
    },
  };
}

const at = (x: readonly number[], i: number): number => x[i] as number;

/** Branin on [-5,10]×[0,15]; minimum 0.397887 at (π, 2.275) and two other points. */
export function branin(): TestFunction {
  const space = new Space(new Map<string, Distribution>([
    ['x0', new FloatDistribution(-5, 10)],
    ['x1', new FloatDistribution(0, 15)],
  ]));
  const b = 5.1 / (4 * Math.PI ** 2), c = 5 / Math.PI, t = 1 / (8 * Math.PI);
  return make('branin', space, 0.397887, [Math.PI, 2.275], (x) => {
    const x1 = at(x, 0), x2 = at(x, 1);
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * Math.cos(x1) + 10;
  });
}

function hartmann(alpha: number[], a: number[][], p: number[][]) {
  return (x: readonly number[]): number => {
    let s = 0;
    for (let i = 0; i < 4; i++) {
      let inner = 0;
      const ai = a[i] as number[], pi = p[i] as number[];
      for (let j = 0; j < ai.length; j++) inner += (ai[j] as number) * (at(x, j) - (pi[j] as number) * 1e-4) ** 2;
      s += (alpha[i] as number) * Math.exp(-inner);
    }
    return -s;
  };
}

const H_ALPHA = [1.0, 1.2, 3.0, 3.2];

/** Hartmann-3 on [0,1]^3; minimum -3.86278. */
export function hartmann3(): TestFunction {
  const a = [[3, 10, 30], [0.1, 10, 35], [3, 10, 30], [0.1, 10, 35]];
  const p = [[3689, 1170, 2673], [4699, 4387, 7470], [1091, 8732, 5547], [381, 5743, 8828]];
  return make('hartmann3', boxSpace(3, 0, 1), -3.86278, [0.114614, 0.555649, 0.852547], hartmann(H_ALPHA, a, p));
}

/** Hartmann-6 on [0,1]^6; minimum -3.32237. */
export function hartmann6(): TestFunction {
  const a = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]];
  const p = [
    [1312, 1696, 5569, 124, 8283, 5886],
    [2329, 4135, 8307, 3736, 1004, 9991],
    [2348, 1451, 3522, 2883, 3047, 6650],
    [4047, 8828, 8732, 5743, 1091, 381],
  ];
  return make('hartmann6', boxSpace(6, 0, 1), -3.32237, [0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573], hartmann(H_ALPHA, a, p));
}

function checkDim(name: string, dim: number): void {
  if (!Number.isInteger(dim) || dim < 1) throw new InputError(`Expected \`${name}\` dimension to be an integer ≥ 1, got ${dim}`);
}

/** Rosenbrock on [-5,10]^d; minimum 0 at (1,…,1). */
export function rosenbrock(dim = 2): TestFunction {
  checkDim('rosenbrock', dim);
  return make('rosenbrock', boxSpace(dim, -5, 10), 0, Array(dim).fill(1), (x) => {
    let s = 0;
    for (let i = 0; i < x.length - 1; i++) s += 100 * (at(x, i + 1) - at(x, i) ** 2) ** 2 + (1 - at(x, i)) ** 2;
    return s;
  });
}

/** Ackley on [-32.768,32.768]^d; minimum 0 at the origin. */
export function ackley(dim = 2): TestFunction {
  checkDim('ackley', dim);
  return make('ackley', boxSpace(dim, -32.768, 32.768), 0, Array(dim).fill(0), (x) => {
    let sq = 0, cs = 0;
    for (const v of x) { sq += v * v; cs += Math.cos(2 * Math.PI * v); }
    const n = x.length;
    return -20 * Math.exp(-0.2 * Math.sqrt(sq / n)) - Math.exp(cs / n) + 20 + Math.E;
  });
}

/** Levy on [-10,10]^d; minimum 0 at (1,…,1). */
export function levy(dim = 2): TestFunction {
  checkDim('levy', dim);
  return make('levy', boxSpace(dim, -10, 10), 0, Array(dim).fill(1), (x) => {
    const w = x.map((v) => 1 + (v - 1) / 4);
    const d = w.length;
    const w0 = w[0] as number, wd = w[d - 1] as number;
    let s = Math.sin(Math.PI * w0) ** 2;
    for (let i = 0; i < d - 1; i++) {
      const wi = w[i] as number;
      s += (wi - 1) ** 2 * (1 + 10 * Math.sin(Math.PI * wi + 1) ** 2);
    }
    return s + (wd - 1) ** 2 * (1 + Math.sin(2 * Math.PI * wd) ** 2);
  });
}

/** Styblinski-Tang on [-5,5]^d; minimum -39.16617·d at (-2.903534,…). */
export function styblinskiTang(dim = 2): TestFunction {
  checkDim('styblinski-tang', dim);
  return make('styblinski-tang', boxSpace(dim, -5, 5), -39.16616570377142 * dim, Array(dim).fill(-2.903534027771178), (x) => {
    let s = 0;
    for (const v of x) s += v ** 4 - 16 * v * v + 5 * v;
    return s / 2;
  });
}

/** Every test function by name (default dimensions), for benchmarks and the CLI. */
export const TEST_FUNCTIONS: Readonly<Record<string, (dim?: number) => TestFunction>> = {
  branin: () => branin(),
  hartmann3: () => hartmann3(),
  hartmann6: () => hartmann6(),
  rosenbrock,
  ackley,
  levy,
  'styblinski-tang': styblinskiTang,
};
