import { createWriteStream, existsSync, renameSync, statSync, type WriteStream } from 'node:fs';

const TAIL_LINE_BYTES = 400;
/** Default cap of one trial's log file, in bytes (the command trainer's `log_max_bytes`). */
export const DEFAULT_LOG_MAX_BYTES = 10 * 1024 * 1024;
/** Most bytes of a capped log's end held in memory until the trial ends. */
const MAX_TAIL_BYTES = 1024 * 1024;
/** Room kept under the cap for the two markers a capped log gets. */
const MARKER_RESERVE = 512;

/** Options of a trial log. */
export interface TrialLogOptions {
  /** Lines remembered for error messages (default 20). */
  readonly tailLines?: number;
  /** Cap of the file's size in bytes (default DEFAULT_LOG_MAX_BYTES). */
  readonly maxBytes?: number;
  /** Move an earlier attempt's log aside (default true); false appends to it, within the same cap. */
  readonly rotate?: boolean;
}

/**
 * A trial's log file, streamed to disk and capped: past the cap it keeps the head (written at once) and the tail
 * (the last min(1 MiB, half the room) bytes, held in a ring buffer and written when the trial ends), with a marker
 * saying how many bytes were dropped between them. Memory stays bounded by the ring and the stream's buffer.
 * An earlier attempt's log at the same path is moved aside first (`<path>.1`, `.2`, …): each file then has one
 * writer, which keeps it under the cap even when a worker presumed lost still writes its attempt's log.
 * It also remembers the last few lines for error messages.
 */
export class TrialLog {
  private readonly stream: WriteStream;
  private readonly tail: string[] = [];
  private readonly tailLines: number;
  private readonly maxBytes: number;
  private drainWaiters: (() => void)[] = [];
  private blocked = false;
  private failure: Error | null = null;
  /** Bytes the head may still take. */
  private headRoom: number;
  /** The end of the output once the head is full: a ring of `ring.length` bytes. */
  private ring: Buffer | null = null;
  private readonly ringSize: number;
  private ringAt = 0;
  private ringFilled = false;
  /** Bytes that went past the head (into the ring, or dropped from it). */
  private overflow = 0;
  /** The file's size once everything written so far has reached it. */
  private size = 0;

  constructor(readonly path: string, options: TrialLogOptions = {}) {
    this.tailLines = options.tailLines ?? 20;
    this.maxBytes = options.maxBytes ?? DEFAULT_LOG_MAX_BYTES;
    if (options.rotate !== false) rotate(path);
    // Append all the same: if the move failed, the earlier attempts' log stays and counts against the cap.
    let existing = 0;
    try {
      existing = statSync(path).size;
    } catch {
      /* a new file */
    }
    this.size = existing;
    const room = Math.max(0, this.maxBytes - existing - MARKER_RESERVE);
    this.ringSize = Math.min(MAX_TAIL_BYTES, Math.floor(room / 2));
    this.headRoom = room - this.ringSize;
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
    this.write(typeof line === 'string' ? Buffer.from(line) : line);
    this.write(Buffer.from(droppedBytes > 0 ? ` … [truncated: ${droppedBytes} more bytes]\n` : '\n'));
  }

  private write(bytes: Buffer): void {
    let rest = bytes;
    if (this.headRoom > 0) {
      const head = rest.length <= this.headRoom ? rest : rest.subarray(0, this.headRoom);
      this.headRoom -= head.length;
      this.put(head);
      rest = rest.subarray(head.length);
      if (rest.length === 0) return;
      // Said at once, so that a log cut short by a killed worker still tells why its output stops here.
      this.put(Buffer.from(`\n=== hyperzone: log_max_bytes (${this.maxBytes}) reached; only the last part of the output follows ===\n`));
    }
    this.overflow += rest.length;
    if (this.ringSize === 0) return;
    this.ring ??= Buffer.alloc(this.ringSize);
    // Only the last ringSize bytes of `rest` can survive.
    if (rest.length > this.ringSize) rest = rest.subarray(rest.length - this.ringSize);
    const first = Math.min(rest.length, this.ringSize - this.ringAt);
    rest.copy(this.ring, this.ringAt, 0, first);
    rest.copy(this.ring, 0, first);
    const end = this.ringAt + rest.length;
    if (end >= this.ringSize) this.ringFilled = true;
    this.ringAt = end % this.ringSize;
  }

  /** Writes to the file; a marker that would not fit under the cap (after many retries' logs) is left out. */
  private put(bytes: Buffer): void {
    if (this.size + bytes.length > this.maxBytes) return;
    this.size += bytes.length;
    if (!this.stream.write(bytes)) this.blocked = true;
  }

  /** The bytes at the end of the output that the ring still holds, oldest first. */
  private ringBytes(): Buffer {
    if (!this.ring) return Buffer.alloc(0);
    return this.ringFilled ? Buffer.concat([this.ring.subarray(this.ringAt), this.ring.subarray(0, this.ringAt)]) : this.ring.subarray(0, this.ringAt);
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

  /** Writes the kept end of a capped log (after a marker of what was dropped), flushes and closes the file. */
  close(): Promise<void> {
    if (this.overflow > 0 && !this.failure && !this.stream.destroyed) {
      const kept = this.ringBytes();
      this.put(Buffer.from(`=== hyperzone: ${this.overflow - kept.length} bytes dropped here ===\n`));
      this.put(kept);
    }
    return new Promise((resolve) => {
      if (this.failure || this.stream.destroyed) return resolve();
      this.stream.end(() => resolve());
    });
  }
}

/** Moves a non-empty file at `path` to the first free `<path>.<k>` (k = 1, 2, …); a failure leaves it in place. */
function rotate(path: string): void {
  try {
    if (statSync(path).size === 0) return;
  } catch {
    return;
  }
  let k = 1;
  while (existsSync(`${path}.${k}`)) k++;
  try {
    renameSync(path, `${path}.${k}`);
  } catch {
    /* appended to instead */
  }
}
