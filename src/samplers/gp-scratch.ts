/**
 * Buffers a GP sampler keeps from proposal to proposal instead of allocating them at each one. At 1,000 trials a GP
 * proposal allocated about 1 MiB of objects and 0.5–0.7 MiB of array storage (one small array per EI candidate, the
 * subset bound's rows, two n×n Cholesky factors per update of the kept factor, ...), all garbage by the next
 * proposal; the collector's pauses that landed in a proposal were what took single proposals past 50 ms
 * (README, "Proposal latency"). A buffer here is long-lived: once promoted it costs the young-generation collector
 * nothing.
 */
export class Scratch {
  private readonly f64s = new Map<string, Float64Array>();
  private readonly i32s = new Map<string, Int32Array>();
  private readonly u8s = new Map<string, Uint8Array>();

  /**
   * A Float64Array of at least `size` elements kept under `name`. Its contents are whatever its last user left: a
   * caller writes before it reads. Grown by a quarter beyond the request, so that a size creeping up by a trial or
   * two per proposal does not reallocate each time.
   */
  f64(name: string, size: number): Float64Array {
    return grown(this.f64s, name, size, (n) => new Float64Array(n));
  }
  /** As f64, Int32Array. */
  i32(name: string, size: number): Int32Array {
    return grown(this.i32s, name, size, (n) => new Int32Array(n));
  }
  /** As f64, Uint8Array. */
  u8(name: string, size: number): Uint8Array {
    return grown(this.u8s, name, size, (n) => new Uint8Array(n));
  }
}

function grown<T extends { readonly length: number }>(m: Map<string, T>, name: string, size: number, make: (n: number) => T): T {
  const have = m.get(name);
  if (have !== undefined && have.length >= size) return have;
  const made = make(Math.max(size, Math.ceil(size * 1.25), 16));
  m.set(name, made);
  return made;
}

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);

/** A hash of the row x[at..at+width) (FNV-1a over the values' bits; −0 hashes as 0, since the two are equal). */
function rowHash(x: Float64Array, at: number, width: number): number {
  let h = 0x811c9dc5;
  for (let j = 0; j < width; j++) {
    bits[0] = (x[at + j] as number) + 0;
    h = Math.imul(h ^ (words[0] as number), 0x01000193);
    h = Math.imul(h ^ (words[1] as number), 0x01000193);
  }
  return h >>> 0;
}

function sameRow(x: Float64Array, a: number, b: number, width: number): boolean {
  for (let j = 0; j < width; j++) if (x[a + j] !== x[b + j]) return false;
  return true;
}

/**
 * The indices of the rows of x (n rows of `width`) that equal no earlier row, in order, written to `out`; returns
 * their number. Rows are compared value by value (no NaN in them: encodings and candidates are finite), as keys made
 * with `join(',')` compared them, without a string per row. `table`: scratch of at least 2n (a power of two is
 * taken within it).
 */
export function firstRows(x: Float64Array, n: number, width: number, out: Int32Array, table: Int32Array): number {
  let size = 1;
  while (size < 2 * n) size *= 2;
  if (table.length < size) throw new RangeError(`firstRows: table of ${table.length} for ${n} rows`);
  table.fill(-1, 0, size);
  const mask = size - 1;
  let count = 0;
  for (let i = 0; i < n; i++) {
    let slot = rowHash(x, i * width, width) & mask;
    let dup = false;
    for (;;) {
      const j = table[slot] as number;
      if (j < 0) break;
      if (sameRow(x, j * width, i * width, width)) {
        dup = true;
        break;
      }
      slot = (slot + 1) & mask;
    }
    if (dup) continue;
    table[slot] = i;
    out[count++] = i;
  }
  return count;
}

/** The row x[at..at+width) as `Float64Array.prototype.join(',')` writes it (a set key; see GpSampler's `seen`). */
export function rowKey(x: Float64Array, at: number, width: number): string {
  let k = '';
  for (let j = 0; j < width; j++) k += j === 0 ? String(x[at + j]) : `,${String(x[at + j])}`;
  return k;
}

/**
 * The set keys of a list of encodings that grows at its end from proposal to proposal (the complete trials'): kept,
 * and only the new ones' keys added, while the last list is a prefix of the new one (the same arrays in the same
 * order); built again otherwise. At 1,000 trials, a set of 1,000 keys per proposal less.
 */
export class GrowingKeySet {
  private xs: readonly Float64Array[] = [];
  private keys = new Set<string>();

  constructor(private readonly keyOf: (x: Float64Array) => string) {}

  /** The keys of xs (read the set before the next update). */
  update(xs: readonly Float64Array[]): ReadonlySet<string> {
    const prev = this.xs;
    let prefix = prev.length <= xs.length;
    for (let i = 0; prefix && i < prev.length; i++) prefix = prev[i] === xs[i];
    if (!prefix) this.keys = new Set();
    for (let i = prefix ? prev.length : 0; i < xs.length; i++) this.keys.add(this.keyOf(xs[i] as Float64Array));
    this.xs = xs;
    return this.keys;
  }
}
