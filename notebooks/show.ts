/**
 * Display helpers for the notebooks: how a chart, an image or a table reaches Jupyter from the tslab kernel.
 * Kept here, not in lib/, because it depends on the kernel's `tslab` module; the library only builds
 * Vega-Lite specs, PNG bytes and plain rows.
 */
import * as tslab from 'tslab';

/** Shows a Vega-Lite spec as a Vega-Lite output (JupyterLab renders `application/vnd.vegalite.v5+json`). */
export function chart(spec: object): void {
  // The MIME bundle must hold the spec as a JSON object, not a string: tslab passes it through as is.
  tslab.display.raw('application/vnd.vegalite.v5+json', spec as unknown as string);
}

/** Shows PNG bytes (e.g. a montage) as an `image/png` output. */
export function png(bytes: Uint8Array): void {
  tslab.display.png(bytes);
}

/** Shows rows of numbers and strings as a Markdown table; numbers are rounded to `digits` decimals. */
export function table(rows: readonly Record<string, unknown>[], digits = 3): void {
  if (rows.length === 0) {
    tslab.display.markdown('*(no rows)*');
    return;
  }
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown): string => {
    if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(digits);
    if (v === undefined || v === null) return '';
    return String(v).replaceAll('|', '\\|');
  };
  const lines = [
    `| ${columns.join(' | ')} |`,
    `| ${columns.map((c) => (typeof rows[0][c] === 'number' ? '---:' : '---')).join(' | ')} |`,
    ...rows.map((r) => `| ${columns.map((c) => cell(r[c])).join(' | ')} |`),
  ];
  tslab.display.markdown(lines.join('\n'));
}

/** Shows Markdown text (e.g. a summary computed in the notebook). */
export function markdown(text: string): void {
  tslab.display.markdown(text);
}
