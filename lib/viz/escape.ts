/**
 * Escaping for the HTML report: text into HTML, and JSON into a <script> element.
 *
 * File names come from the user's disk and may contain markup (`<img src=x onerror=alert(1)>.jpg` is a valid
 * file name). Everything shown as text goes through {@link escapeHtml}; every JSON literal placed inside a
 * <script> goes through {@link jsonForScript}, which escapes `<`, `>`, `&` (so `</script>` and `<!--` cannot
 * end or change the script element) and U+2028 / U+2029 (line terminators in older JavaScript), as
 * `\uXXXX` escapes that JSON.parse and JavaScript read back as the same string.
 */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes `& < > " '` for HTML text and attribute values. */
export function escapeHtml(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** JSON text safe to place between <script> and </script> (and equal, once parsed, to `value`). */
export function jsonForScript(value: unknown): string {
  const json = JSON.stringify(value) ?? 'null';
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
