/**
 * A progress display for long work in a notebook: one output that updates in place (a bar, counts, rate, time
 * left), as a {@link ProgressCallback} that any long library function takes (`encodeFolder`, `buildReport`, ...).
 *
 * Pass tslab's `newDisplay()` (a display that overwrites its own output); each update is an HTML + text bundle
 * ({@link showBundle}), so the final state is what an executed notebook keeps and every front end shows.
 *
 * @example (a tslab cell)
 *   import * as tslab from 'tslab';
 *   const progress = fc.progressDisplay(tslab.newDisplay(), { label: 'encoding', unit: 'photos' });
 *   const summary = await fc.encodeFolder(folder, { out }, progress);
 */
import { FaceclusterError } from '../errors.ts';
import { checkNumber, resolveOptions } from '../options.ts';
import type { ProgressCallback } from '../types.ts';
import { showBundle, type DisplayLike } from './display.ts';
import { escapeHtml } from './escape.ts';

export interface ProgressDisplayOptions {
  /** What is being done, shown first. @default 'progress' */
  label: string;
  /** What is counted. @default 'items' */
  unit: string;
  /** Least time between two updates, in seconds (the first and the last are always shown). @default 0.5 */
  minInterval: number;
}

export const PROGRESS_DISPLAY_DEFAULTS: Readonly<ProgressDisplayOptions> = Object.freeze({ label: 'progress', unit: 'items', minInterval: 0.5 });

/** `m:ss` (or `h:mm:ss`) for a number of seconds. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** The line of text a progress display shows for `done` of `total` after `seconds`. */
export function progressText(done: number, total: number, seconds: number, options?: Partial<ProgressDisplayOptions>): string {
  const o = resolveOptions('progressText', PROGRESS_DISPLAY_DEFAULTS, options);
  const pct = total > 0 ? Math.floor((100 * done) / total) : 100;
  const rate = seconds > 0 && done > 0 ? done / seconds : 0;
  const tail = done >= total
    ? `in ${formatDuration(seconds)}`
    : rate > 0 ? `${rate.toFixed(rate < 10 ? 1 : 0)} ${o.unit}/s, ${formatDuration((total - done) / rate)} left` : 'starting';
  return `${o.label}: ${done} / ${total} ${o.unit} (${pct}%), ${tail}`;
}

/**
 * A progress callback that draws into `display` (tslab's `newDisplay()`), at most every `minInterval` seconds.
 * The callback's `info.path` (when given) is shown under the bar.
 */
export function progressDisplay(display: DisplayLike, options?: Partial<ProgressDisplayOptions>): ProgressCallback {
  const fn = 'progressDisplay';
  const o = resolveOptions(fn, PROGRESS_DISPLAY_DEFAULTS, options);
  checkNumber(fn, 'minInterval', o.minInterval, 0);
  const d = display as DisplayLike & { id?: unknown };
  if (display === null || typeof display !== 'object' || (typeof d.bundle !== 'function' && !d.id)) {
    throw new FaceclusterError(fn, "display must be a display that updates its own output (tslab's newDisplay()), got one that would add a new output per update.", 'display');
  }
  let started: number | undefined;
  let last = -Infinity;
  return (done, total, info) => {
    const now = performance.now();
    started ??= now;
    if (done < total && now - last < o.minInterval * 1000) return;
    last = now;
    const line = progressText(done, total, (now - started) / 1000, o);
    const pct = total > 0 ? Math.min(100, (100 * done) / total) : 100;
    const path = typeof info?.path === 'string' && info.path !== '' && done < total ? info.path : '';
    const html = `<div><progress value="${done}" max="${Math.max(total, 1)}" style="width: 24em">${pct.toFixed(0)}%</progress> <span>${escapeHtml(line)}</span>${path ? `<br><small>${escapeHtml(path)}</small>` : ''}</div>`;
    showBundle(display, { 'text/html': html, 'text/plain': line }, {}, fn);
  };
}
