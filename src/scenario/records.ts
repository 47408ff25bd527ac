/**
 * Feeder records: a patient as the record steps read, and RFC 4180 CSV. Pure (no Node.js APIs), so the
 * exported k6 script uses the same code as the engine's feeders.
 */
import { UsageError } from '../core/errors.ts';

export type FeederRecord = Record<string, string>;

const firstWord = (s: string) => s.trim().split(/\s+/)[0] ?? '';

/**
 * One patient as a feeder record. `name` and `partialName` use the first word of each name, so they
 * are prefixes of the stored columns and match in OpenMRS's Lucene search and in a SQL LIKE alike.
 */
export function patientRecord(p: { uuid?: string; identifier?: string; givenName: string; middleName?: string | null; familyName: string; gender?: string; birthdate?: string }): FeederRecord {
  const given = firstWord(p.givenName);
  const family = firstWord(p.familyName);
  const rec: FeederRecord = {
    givenName: p.givenName,
    familyName: p.familyName,
    name: `${given} ${family}`,
    namePrefix: given.slice(0, 3),
    partialName: `${given.slice(0, 3)} ${family.slice(0, 4)}`,
  };
  if (p.middleName) rec.middleName = p.middleName;
  for (const key of ['uuid', 'identifier', 'gender', 'birthdate'] as const) {
    const v = p[key];
    if (v) rec[key] = v;
  }
  return rec;
}

/**
 * RFC 4180-style CSV: a header row, comma separators, fields in double quotes may hold commas,
 * line breaks and doubled quotes. Blank lines are skipped; a row with a different number of fields
 * than the header is an error (naming its line).
 */
export function parseCsv(text: string, source = 'CSV'): FeederRecord[] {
  const rows: { fields: string[]; line: number }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  const s = text.replace(/^\uFEFF/, '');
  const endRow = () => {
    fields.push(field);
    if (fields.length > 1 || fields[0] !== '') rows.push({ fields, line: rowLine });
    fields = [];
    field = '';
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quoted) {
      if (c !== '"') {
        field += c;
        if (c === '\n') line++;
      } else if (s[i + 1] === '"') {
        field += '"';
        i++;
      } else {
        quoted = false;
      }
    } else if (c === '"' && field === '') {
      quoted = true;
    } else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && s[i + 1] === '\n') i++;
      endRow();
      rowLine = ++line;
    } else {
      field += c;
    }
  }
  if (quoted) throw new UsageError(`${source}: line ${rowLine}: a quoted field is not closed`);
  if (field !== '' || fields.length) endRow();
  const [header, ...body] = rows;
  if (!header) throw new UsageError(`${source}: no header row`, 'the first line names the columns, e.g. givenName,familyName,identifier');
  const names = header.fields.map((h) => h.trim());
  if (names.some((n) => !n)) throw new UsageError(`${source}: line ${header.line}: a column has no name`);
  return body.map(({ fields: f, line: at }) => {
    if (f.length !== names.length) throw new UsageError(`${source}: line ${at}: ${f.length} fields, but the header has ${names.length}`);
    return Object.fromEntries(names.map((n, i) => [n, f[i] ?? '']));
  });
}
