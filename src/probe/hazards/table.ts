import type { HazardResult } from './types.ts';

const WIDTH = 120;
const GAP = '  ';

/** Greedy word wrap; words longer than a line (uuids, URLs) are cut so no line overflows. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (let word of text.split(/\s+/).filter(Boolean)) {
    while (word.length > width) {
      if (line) lines.push(line);
      lines.push(word.slice(0, width));
      word = word.slice(width);
      line = '';
    }
    if (!line) line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line || !lines.length) lines.push(line);
  return lines;
}

/** Plain-text table of probe, verdict and evidence, no wider than 120 columns. */
export function hazardTable(results: HazardResult[]): string {
  const p = Math.max('probe'.length, ...results.map((r) => r.id.length));
  const v = Math.max('verdict'.length, ...results.map((r) => r.verdict.length));
  const e = WIDTH - p - v - 2 * GAP.length;
  const row = (a: string, b: string, c: string) => `${a.padEnd(p)}${GAP}${b.padEnd(v)}${GAP}${c}`.trimEnd();
  const out = [row('probe', 'verdict', 'evidence'), row('-'.repeat(p), '-'.repeat(v), '-'.repeat(e))];
  for (const r of results) {
    wrap(r.evidence, e).forEach((line, i) => out.push(i === 0 ? row(r.id, r.verdict, line) : row('', '', line)));
  }
  return out.join('\n');
}
