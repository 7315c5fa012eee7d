/** A seeded pseudo-random generator (mulberry32 over a splitmix32-mixed seed): every random choice in hyperzone takes one. */
export class Rng {
  /**
   * The 32-bit state, kept in a typed array: a uint32 field above 2³⁰ is a heap number in V8, so every draw would
   * allocate one. The bits are the same as a uint32's (every operation below is bitwise).
   */
  private readonly state = new Int32Array(1);
  constructor(seed: number) {
    this.state[0] = mix32(seed >>> 0 ^ Math.floor(seed / 2 ** 32));
  }
  /** A float in [0, 1). */
  next(): number {
    let t = (this.state[0] = (this.state[0] as number) + 0x6d2b79f5) | 0;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  /** A standard normal draw (Box-Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty array');
    return items[Math.floor(this.next() * items.length)] as T;
  }
  /** Shuffles in place (Fisher-Yates) and returns the array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }
  /** A 31-bit seed for a child generator or a trial. */
  seed(): number {
    return Math.floor(this.next() * 2 ** 31);
  }
}

function mix32(x: number): number {
  x = (x + 0x9e3779b9) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

/** A stable 31-bit seed derived from a base seed and any labels (trial number, stage name). */
export function deriveSeed(base: number, ...labels: (string | number)[]): number {
  let h = mix32(base >>> 0);
  for (const label of labels) {
    const s = String(label);
    for (let i = 0; i < s.length; i++) h = mix32(h ^ s.charCodeAt(i));
    h = mix32(h ^ 0x2f);
  }
  return h & 0x7fffffff;
}
