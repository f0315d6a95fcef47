/**
 * Where the commands write (stdout for results, stderr for progress and errors) and the progress
 * of long steps. On a terminal the progress line is redrawn in place (at most 10 times a
 * second); elsewhere (a pipe, a CI log) a step over a file of `LOG_MIN_BYTES` or more prints one
 * line at each tenth of the way, so logs stay short and the same on every run. `--quiet` prints none.
 */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** stderr is a terminal. */
  tty: boolean;
  quiet: boolean;
  env: Readonly<Record<string, string | undefined>>;
}

/** A step over a smaller file prints no progress lines to a non-terminal. */
export const LOG_MIN_BYTES = 1024 * 1024;

function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export class Progress {
  private lastDraw = 0;
  private lastTenth = 0;
  private drawn = false;

  constructor(
    private readonly io: Io,
    private readonly label: string,
    /** Total units (bytes, rows) when known. */
    private readonly total: number | undefined,
    private readonly unit: 'bytes' | 'rows',
    /** The step reads a file of this many bytes (decides whether a non-terminal gets lines). */
    private readonly fileBytes: number,
  ) {}

  private text(done: number, rows: number | undefined): string {
    const share = this.total ? ` ${Math.min(100, Math.floor((done / this.total) * 100))} %` : '';
    const count = this.unit === 'rows' ? `${formatCount(done)}${this.total ? ` of ${formatCount(this.total)}` : ''} rows` : `${formatCount(rows ?? 0)} rows`;
    return `${this.label}:${share} (${count})`;
  }

  /** `done` units so far; `rows` read so far (for byte-counted steps). */
  update(done: number, rows?: number): void {
    if (this.io.quiet) return;
    if (this.io.tty) {
      const now = Date.now();
      if (now - this.lastDraw < 100) return;
      this.lastDraw = now;
      this.io.err(`\r${this.text(done, rows)}\x1b[K`);
      this.drawn = true;
      return;
    }
    if (!this.total || this.fileBytes < LOG_MIN_BYTES) return;
    const tenth = Math.floor((done / this.total) * 10);
    if (tenth > this.lastTenth && tenth < 10) {
      this.lastTenth = tenth;
      this.io.err(`${this.text(done, rows)}\n`);
    }
  }

  /** Ends the step: clears the terminal line, or logs the last line when lines were logged. */
  end(done: number, rows?: number): void {
    if (this.io.quiet) return;
    if (this.io.tty) {
      if (this.drawn) this.io.err('\r\x1b[K');
      return;
    }
    if (this.total && this.fileBytes >= LOG_MIN_BYTES) this.io.err(`${this.text(done, rows)} done\n`);
  }
}
