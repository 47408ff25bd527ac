/**
 * The only way text reaches the report's HTML: every value from a run directory (step names, hosts, statements,
 * topology descriptions) is data an attacker could shape, so nothing is concatenated into markup unescaped.
 */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for element content and for quoted attribute values alike. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * JSON that stays data inside a <script> element: `<` can never close the element or open a comment, and the
 * line separators U+2028/U+2029 (legal in JSON, not in older JS string literals) are escaped too.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * A third-party script (Chart.js) inlined verbatim: `</script` inside it would end the element early. Inside JS
 * strings and regular expressions `<\/` means the same as `</`.
 */
export function inlineScript(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** Markup built by these helpers; a plain string passed where markup is expected is escaped. */
export class Html {
  constructor(readonly markup: string) {}
  toString(): string {
    return this.markup;
  }
}

export type Cell = string | number | null | undefined | Html;

const cell = (v: Cell): string => (v instanceof Html ? v.markup : typeof v === 'number' ? esc(formatNumber(v)) : esc(v ?? '—'));

/** Numbers as a reader wants them in a table: no float noise, thousands separated. */
export function formatNumber(n: number, digits?: number): string {
  if (!Number.isFinite(n)) return n > 0 ? '∞' : n < 0 ? '−∞' : '—';
  const d = digits ?? (Math.abs(n) >= 100 || Number.isInteger(n) ? 0 : Math.abs(n) >= 1 ? 2 : 3);
  return n.toLocaleString('en-US', { minimumFractionDigits: 0, maximumFractionDigits: d });
}

/** Markup from a template: interpolated values are escaped unless they are Html. */
export function html(strings: TemplateStringsArray, ...values: (Cell | Html[] | Cell[])[]): Html {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += Array.isArray(v) ? v.map(cell).join('') : cell(v);
    out += strings[i + 1]!;
  });
  return new Html(out);
}

/** A table with a header row; numeric cells are right-aligned by the stylesheet through the `num` class. */
export function table(headers: string[], rows: Cell[][], caption?: string): Html {
  const th = headers.map((h) => `<th>${esc(h)}</th>`).join('');
  const body = rows
    .map((r) => `<tr>${r.map((v) => (typeof v === 'number' ? `<td class="num">${cell(v)}</td>` : `<td>${cell(v)}</td>`)).join('')}</tr>`)
    .join('\n');
  const cap = caption ? `<caption>${esc(caption)}</caption>` : '';
  return new Html(`<table>${cap}<thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`);
}

/** Numbers behind a chart, folded away until asked for. */
export function details(summary: string, content: Html, open = false): Html {
  return new Html(`<details${open ? ' open' : ''}><summary>${esc(summary)}</summary>${content.markup}</details>`);
}

export const join = (parts: (Html | null | undefined | false)[]): Html => new Html(parts.filter((p): p is Html => p instanceof Html).map((p) => p.markup).join('\n'));
