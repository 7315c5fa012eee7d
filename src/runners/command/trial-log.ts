import { createWriteStream, type WriteStream } from 'node:fs';

const TAIL_LINE_BYTES = 400;

/** A trial's log file, streamed to disk, remembering only its last few lines for error messages. */
export class TrialLog {
  private readonly stream: WriteStream;
  private readonly tail: string[] = [];
  private drainWaiters: (() => void)[] = [];
  private blocked = false;
  private failure: Error | null = null;

  constructor(
    readonly path: string,
    private readonly tailLines = 20,
  ) {
    // Append: a retried trial keeps the log of its earlier attempts.
    this.stream = createWriteStream(path, { flags: 'a' });
    this.stream.on('drain', () => {
      this.blocked = false;
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const w of waiters) w();
    });
    this.stream.on('error', (e) => {
      this.failure = e;
      this.blocked = false;
      for (const w of this.drainWaiters) w();
      this.drainWaiters = [];
    });
  }

  /** Writes one line (a newline is added); `droppedBytes` > 0 marks it as truncated. */
  line(line: Buffer | string, droppedBytes = 0): void {
    const text = typeof line === 'string' ? line : line.subarray(0, TAIL_LINE_BYTES).toString('utf8');
    this.tail.push(text.length > TAIL_LINE_BYTES ? text.slice(0, TAIL_LINE_BYTES) : text);
    if (this.tail.length > this.tailLines) this.tail.shift();
    if (this.failure) return;
    this.stream.write(line);
    const ok = this.stream.write(droppedBytes > 0 ? ` … [truncated: ${droppedBytes} more bytes]\n` : '\n');
    if (!ok) this.blocked = true;
  }

  /** Whether the writer is behind: the caller should pause its sources until `drained()` resolves. */
  get isBlocked(): boolean {
    return this.blocked;
  }

  /** Resolves once buffered writes have reached the file. */
  drained(): Promise<void> {
    if (!this.blocked) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** The last lines written, joined. */
  tailText(): string {
    return this.tail.join('\n');
  }

  /** Flushes and closes the file. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.failure || this.stream.destroyed) return resolve();
      this.stream.end(() => resolve());
    });
  }
}
