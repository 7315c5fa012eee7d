/** Hands out GPUs to trials: at most `perGpu` trials on each GPU at once, waiting trials served first come, first served. */
export class GpuSlots {
  private readonly inUse: Map<string, number>;
  private readonly waiters: { resolve: (gpu: string | null) => void; signal: AbortSignal; onAbort: () => void }[] = [];

  constructor(
    gpus: readonly string[],
    private readonly perGpu: number,
  ) {
    this.inUse = new Map(gpus.map((g) => [g, 0]));
  }

  /** Waits for a free slot and returns its GPU id, or null when `signal` aborts first. */
  acquire(signal: AbortSignal): Promise<string | null> {
    if (signal.aborted) return Promise.resolve(null);
    const gpu = this.freeGpu();
    if (gpu !== null) {
      this.inUse.set(gpu, (this.inUse.get(gpu) ?? 0) + 1);
      return Promise.resolve(gpu);
    }
    return new Promise((resolve) => {
      const waiter = {
        resolve,
        signal,
        onAbort: () => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          resolve(null);
        },
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Frees a slot taken by `acquire` and hands it to the next waiter. */
  release(gpu: string): void {
    const n = this.inUse.get(gpu) ?? 0;
    if (n <= 0) throw new RangeError(`GPU ${gpu} has no slot in use`);
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter.signal.removeEventListener('abort', waiter.onAbort);
      waiter.resolve(gpu); // the slot passes straight on
    } else {
      this.inUse.set(gpu, n - 1);
    }
  }

  /** Trials running on each GPU now. */
  usage(): ReadonlyMap<string, number> {
    return new Map(this.inUse);
  }

  // The least loaded GPU with room, the first listed on ties.
  private freeGpu(): string | null {
    let best: string | null = null;
    let bestN = Infinity;
    for (const [g, n] of this.inUse) {
      if (n < this.perGpu && n < bestN) {
        best = g;
        bestN = n;
      }
    }
    return best;
  }
}
