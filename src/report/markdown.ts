/**
 * Safe pieces of GitHub-flavoured Markdown. Every value that comes from a person, a repository
 * or AWS goes through `text`, which leaves no character that could open HTML (a tag, a comment,
 * CDATA), a code span, a link, emphasis, a table cell or a new line: no input can change the
 * structure around it. Entities are decoded by GitHub, so people still read the original text.
 */

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '|': '&#124;',
  '`': '&#96;',
  '[': '&#91;',
  ']': '&#93;',
  '\\': '&#92;',
  '*': '&#42;',
  _: '&#95;',
  '~': '&#126;',
  // A mention in a failure reason would notify someone who has nothing to do with the deploy.
  '@': '&#64;',
};

const SPECIAL = /[&<>"'|`[\]\\*_~@]/g;
// Any line break would end a table row or start a list item; other control characters have no business here.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const BREAKS_AND_CONTROLS = /[\r\n\u2028\u2029\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]+/g;

export function text(value: string): string {
  return value.replace(BREAKS_AND_CONTROLS, ' ').replace(SPECIAL, (char) => ENTITIES[char] ?? char);
}

/** Lines shown as they are, in monospace: each line made safe, the line breaks kept. */
export function preformatted(lines: readonly string[]): string {
  return `<pre>${lines.map(text).join('\n')}</pre>`;
}

// Tabs stay; every other control character (a terminal's colour codes among them) goes.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROLS_BUT_TAB = /[\u0000-\u0008\u000b-\u001f\u007f\u2028\u2029]/g;

/**
 * Lines as a fenced code block, exactly as written: inside a fence Markdown and HTML are not
 * read, and no mention notifies anyone. The fence is longer than any run of backticks in the
 * lines, so none of them can close it; each value is one line (its own breaks become spaces).
 */
export function fenced(lines: readonly string[]): string {
  const safe = lines.map((line) => line.replace(/\r\n?|\n/g, ' ').replace(CONTROLS_BUT_TAB, ''));
  const longest = Math.max(0, ...safe.map((line) => Math.max(0, ...(line.match(/`+/g) ?? []).map((run) => run.length))));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}text\n${safe.join('\n')}\n${fence}`;
}

/** A value in monospace; `<code>` rather than backticks because entities are decoded inside it. */
export function code(value: string): string {
  return `<code>${text(value)}</code>`;
}

/** `label` (already safe) linked to `url` when it is a plain http(s) URL, else the label alone. */
export function link(url: string | undefined, label: string): string {
  return url !== undefined && /^https?:\/\/[^\s]+$/i.test(url) ? `<a href="${text(url)}">${label}</a>` : label;
}

/** Shortens to `max` characters (code points, so no emoji is split), ending with an ellipsis. */
export function clip(value: string, max: number): string {
  const chars = Array.from(value);
  return chars.length <= max ? value : `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/** A Markdown table of cells that are already safe. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function details(summary: string, body: string, open = false): string {
  return `<details${open ? ' open' : ''}><summary>${summary}</summary>\n\n${body}\n\n</details>`;
}

export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(seconds / 3600);
  const min = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h} h ${min} min`;
  if (min > 0) return `${min} min ${s} s`;
  return `${s} s`;
}
