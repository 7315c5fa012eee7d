import { Worker } from 'node:worker_threads';
import type { BackendChoice } from './backend.js';
import type { RunMessage, WorkerInit, WorkerMessage } from './protocol.js';

/** How a job on the pool ended: the worker's last message, or the worker's death. */
export type JobEnd =
  | Extract<WorkerMessage, { type: 'done' | 'error' }>
  | { readonly type: 'crashed'; readonly message: string; readonly outOfMemory: boolean }
  | { readonly type: 'terminated' };

/** Handle of a running job. */
export interface Job {
  readonly done: Promise<JobEnd>;
  /** Asks the worker to stop between batches; terminates it when it does not answer within `graceMs`. */
  abort(graceMs: number): void;
}

interface Slot {
  worker: Worker | null;
  flag: Int32Array;
  sab: SharedArrayBuffer;
  busy: boolean;
}

/** Whether this module runs from TypeScript sources under tsx (workers then need `--import tsx`). */
export const RUNNING_FROM_SOURCE = import.meta.url.endsWith('.ts');

/**
 * Worker source that registers tsx's loader inside the worker, then imports the TypeScript entry.
 * `execArgv: ['--import', 'tsx']` does not reach worker threads on Node 20 ("Unknown file
 * extension .ts"), so the worker registers the hooks itself.
 */
function tsxBootstrap(entry: string): string {
  const api = import.meta.resolve('tsx/esm/api');
  return `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
}

/** A fixed-size pool of training worker threads; a dead worker is replaced on the next job. */
export class WorkerPool {
  private readonly slots: Slot[];
  private readonly waiting: (() => void)[] = [];
  private closed = false;
  private nextId = 1;

  constructor(
    size: number,
    private readonly backend: BackendChoice,
  ) {
    this.slots = Array.from({ length: size }, () => {
      const sab = new SharedArrayBuffer(4);
      return { worker: null, sab, flag: new Int32Array(sab), busy: false };
    });
  }

  private spawn(slot: Slot): Worker {
    const init: WorkerInit = { backend: this.backend, abortFlag: slot.sab };
    const w = RUNNING_FROM_SOURCE
      ? new Worker(tsxBootstrap(new URL('./worker.ts', import.meta.url).href), { eval: true, workerData: init })
      : new Worker(new URL('./worker.js', import.meta.url), { workerData: init });
    slot.worker = w;
    return w;
  }

  private async acquire(): Promise<Slot> {
    for (;;) {
      if (this.closed) throw new Error('worker pool is closed');
      const free = this.slots.find((s) => !s.busy);
      if (free !== undefined) {
        free.busy = true;
        return free;
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private release(slot: Slot): void {
    slot.busy = false;
    this.waiting.shift()?.();
  }

  /** Runs one trial on a free worker (waiting for one); `onMessage` sees epoch and progress messages. */
  async run(msg: Omit<RunMessage, 'type' | 'id'>, onMessage: (m: WorkerMessage) => void): Promise<Job> {
    const slot = await this.acquire();
    Atomics.store(slot.flag, 0, 0);
    const worker = slot.worker ?? this.spawn(slot);
    worker.ref();
    const id = this.nextId++;
    let killTimer: NodeJS.Timeout | null = null;
    let terminatedByUs = false;
    const done = new Promise<JobEnd>((resolve) => {
      let lastError: Error | null = null;
      const finish = (end: JobEnd, workerDead: boolean): void => {
        worker.off('message', onMsg);
        worker.off('error', onError);
        worker.off('exit', onExit);
        if (killTimer !== null) clearTimeout(killTimer);
        if (workerDead) slot.worker = null;
        else worker.unref(); // an idle pool never keeps the process alive
        this.release(slot);
        resolve(end);
      };
      const onMsg = (m: WorkerMessage): void => {
        if (m.id !== id) return;
        if (m.type === 'done' || m.type === 'error') finish(m, false);
        else onMessage(m);
      };
      const onError = (e: Error): void => {
        lastError = e;
      };
      const onExit = (code: number): void => {
        if (terminatedByUs || this.closed) return finish({ type: 'terminated' }, true);
        const oom = (lastError as (Error & { code?: string }) | null)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
        const why = lastError !== null ? lastError.message : `exit code ${code}`;
        finish({ type: 'crashed', message: `worker crashed: ${why}`, outOfMemory: oom }, true);
      };
      worker.on('message', onMsg);
      worker.on('error', onError);
      worker.on('exit', onExit);
    });
    worker.postMessage({ ...msg, type: 'run', id } satisfies RunMessage);
    return {
      done,
      abort: (graceMs: number) => {
        Atomics.store(slot.flag, 0, 1);
        killTimer ??= setTimeout(() => {
          terminatedByUs = true;
          void worker.terminate();
        }, graceMs);
      },
    };
  }

  /** Terminates every worker; pending and later runs fail. */
  async close(): Promise<void> {
    this.closed = true;
    this.waiting.splice(0).forEach((w) => w());
    await Promise.all(
      this.slots.map(async (s) => {
        const w = s.worker;
        s.worker = null;
        if (w !== null) await w.terminate();
      }),
    );
  }
}
