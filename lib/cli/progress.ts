/**
 * A progress display for long CLI commands: a bar redrawn in place on a TTY
 * (`label [#####.....] 120/234  51%  faces 130  3.9/s  ETA 0:29`), plain lines otherwise
 * (one every 10% or 30 s, so logs stay short).
 *
 * @example
 * const p = createProgress('encode', files.length);
 * p.update(done, { faces: 12 });
 * p.log('bad.jpg: truncated image');   // printed above the bar
 * p.done();
 */
export interface Progress {
  /** Sets the count done (and extra fields shown after the count, e.g. `{ faces: 12 }`). */
  update(done: number, fields?: Record<string, string | number>): void;
  /** Prints a line without breaking the bar. */
  log(line: string): void;
  /** Changes the total (e.g. once planning knows it). */
  setTotal(total: number): void;
  /** Clears the bar; prints nothing more. */
  done(): void;
}

export interface ProgressOptions {
  /** Where to draw. @default process.stderr */
  stream: NodeJS.WriteStream;
  /** Force TTY or plain mode. @default stream.isTTY */
  tty: boolean;
}

function clock(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Creates a progress display for `total` items. */
export function createProgress(label: string, total: number, options?: Partial<ProgressOptions>): Progress {
  const stream = options?.stream ?? process.stderr;
  const tty = options?.tty ?? Boolean(stream.isTTY);
  const start = performance.now();
  let n = total;
  let done = 0;
  let fields: Record<string, string | number> = {};
  let lastDraw = 0;
  let lastPlainPct = -1;
  let lastPlainTime = start;
  let drawn = false;

  function text(): string {
    const elapsed = (performance.now() - start) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const eta = rate > 0 ? (n - done) / rate : NaN;
    const pct = n > 0 ? Math.floor((100 * done) / n) : 100;
    const extra = Object.entries(fields).map(([k, v]) => `${k} ${v}`).join('  ');
    const width = 24;
    const fill = n > 0 ? Math.round((width * done) / n) : width;
    const bar = tty ? ` [${'#'.repeat(fill)}${'.'.repeat(width - fill)}]` : '';
    return `${label}${bar} ${done}/${n} ${String(pct).padStart(3)}%${extra ? `  ${extra}` : ''}  ${rate.toFixed(1)}/s  ETA ${clock(eta)}`;
  }
  function draw(force = false): void {
    const now = performance.now();
    if (tty) {
      if (!force && now - lastDraw < 100) return;
      lastDraw = now;
      const cols = stream.columns ?? 100;
      stream.write(`\r${text().slice(0, cols - 1)}\x1b[K`);
      drawn = true;
      return;
    }
    const pct = n > 0 ? Math.floor((10 * done) / n) : 10;
    if (force || pct > lastPlainPct || now - lastPlainTime > 30_000) {
      lastPlainPct = pct;
      lastPlainTime = now;
      stream.write(`${text()}\n`);
    }
  }
  return {
    update(d, f) {
      done = d;
      if (f) fields = f;
      draw(d >= n);
    },
    log(line) {
      if (tty && drawn) stream.write('\r\x1b[K');
      stream.write(`${line}\n`);
      if (tty && drawn) draw(true);
    },
    setTotal(t) {
      n = t;
    },
    done() {
      if (tty && drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}
