/**
 * A sorted multiset of numbers (ascending) for the schedulers' rung tables: insert, remove and the i-th
 * smallest in about O(√n) or better, so a rung with 100,000 values costs what one with 1,000 does.
 * Values are kept in chunks of at most 2·LOAD sorted numbers (the layout of Python's sortedcontainers):
 * a binary search over the chunks' maxima finds the chunk, a splice inside the chunk moves ≤ 2·LOAD numbers.
 */
export class SortedList {
  private static readonly LOAD = 256;
  private readonly chunks: number[][] = [];
  /** maxes[i] is the last (largest) value of chunks[i]. */
  private readonly maxes: number[] = [];
  private n = 0;

  /** How many values it holds. */
  get size(): number {
    return this.n;
  }

  /** Adds a value (duplicates are kept). NaN is refused: it has no place in an order. */
  insert(v: number): void {
    if (Number.isNaN(v)) throw new RangeError('SortedList cannot hold NaN');
    this.n++;
    if (this.chunks.length === 0) {
      this.chunks.push([v]);
      this.maxes.push(v);
      return;
    }
    let c = upperBound(this.maxes, v);
    if (c === this.chunks.length) c--;
    const chunk = this.chunks[c] as number[];
    chunk.splice(upperBound(chunk, v), 0, v);
    this.maxes[c] = chunk[chunk.length - 1] as number;
    if (chunk.length > 2 * SortedList.LOAD) {
      const half = chunk.splice(SortedList.LOAD);
      this.chunks.splice(c + 1, 0, half);
      this.maxes.splice(c, 1, chunk[chunk.length - 1] as number, half[half.length - 1] as number);
    }
  }

  /** Removes one copy of the value; false when it is not there. */
  remove(v: number): boolean {
    const c = lowerBound(this.maxes, v);
    if (c === this.chunks.length) return false;
    const chunk = this.chunks[c] as number[];
    const i = lowerBound(chunk, v);
    if (chunk[i] !== v) return false;
    chunk.splice(i, 1);
    this.n--;
    if (chunk.length === 0) {
      this.chunks.splice(c, 1);
      this.maxes.splice(c, 1);
    } else {
      this.maxes[c] = chunk[chunk.length - 1] as number;
    }
    return true;
  }

  /** The i-th smallest value (0-based); throws when i is out of range. */
  at(i: number): number {
    if (!Number.isInteger(i) || i < 0 || i >= this.n) throw new RangeError(`index ${i} out of range 0..${this.n - 1}`);
    for (const chunk of this.chunks) {
      if (i < chunk.length) return chunk[i] as number;
      i -= chunk.length;
    }
    throw new RangeError('unreachable');
  }

  /** All values, ascending (for tests and small rungs). */
  toArray(): number[] {
    return this.chunks.flat();
  }
}

/** The first index whose value is > v. */
function upperBound(xs: readonly number[], v: number): number {
  let lo = 0, hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((xs[mid] as number) <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first index whose value is ≥ v. */
function lowerBound(xs: readonly number[], v: number): number {
  let lo = 0, hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((xs[mid] as number) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
