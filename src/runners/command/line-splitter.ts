/** Splits a byte stream into lines without ever holding more than `maxLineBytes` of one line. */
export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private dropped = 0;

  /** `onLine` receives each line (without its newline, at most `maxLineBytes` long) and how many bytes were cut off it. */
  constructor(
    private readonly maxLineBytes: number,
    private readonly onLine: (line: Buffer, droppedBytes: number) => void,
  ) {}

  /** Feeds one chunk; complete lines are emitted synchronously. */
  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(10, start);
      this.append(chunk.subarray(start, nl === -1 ? chunk.length : nl));
      if (nl === -1) return;
      this.emit();
      start = nl + 1;
    }
  }

  /** Emits a last line that had no newline. */
  end(): void {
    if (this.size > 0 || this.dropped > 0) this.emit();
  }

  private append(part: Buffer): void {
    const room = this.maxLineBytes - this.size;
    if (part.length <= room) {
      if (part.length > 0) this.parts.push(part);
      this.size += part.length;
    } else {
      // Keep only the head of an over-long line; the rest is counted, never stored.
      if (room > 0) this.parts.push(Buffer.from(part.subarray(0, room)));
      this.size += Math.max(room, 0);
      this.dropped += part.length - Math.max(room, 0);
    }
  }

  private emit(): void {
    let line = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts, this.size);
    if (line.length > 0 && line[line.length - 1] === 13 && this.dropped === 0) line = line.subarray(0, line.length - 1);
    const dropped = this.dropped;
    this.parts = [];
    this.size = 0;
    this.dropped = 0;
    this.onLine(line, dropped);
  }
}
