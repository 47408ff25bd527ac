import mysql from 'mysql2';
import type { Cell, Row } from '../../core/synthetic/generate.ts';

// LOAD DATA's defaults: fields end at TAB, lines at LF, backslash escapes, \N is NULL.
const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function tsvCell(v: Cell): string {
  if (v === null) return '\\N';
  if (typeof v === 'number') return String(v);
  return NEEDS_ESCAPE.test(v) ? v.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c] ?? c) : v;
}

/** One row in the format `LOAD DATA ... INFILE` reads by default, newline included. */
export function tsvLine(row: Row): string {
  let s = tsvCell(row[0] ?? null);
  for (let i = 1; i < row.length; i++) s += '\t' + tsvCell(row[i] ?? null);
  return s + '\n';
}

/** One row as a parenthesised SQL VALUES tuple. */
export function sqlTuple(row: Row): string {
  let s = '(';
  for (let i = 0; i < row.length; i++) {
    const v = row[i] ?? null;
    if (i > 0) s += ',';
    s += v === null ? 'NULL' : typeof v === 'number' ? String(v) : mysql.escape(v);
  }
  return s + ')';
}
