import { describe, expect, it } from 'vitest';
import { parseFactors, positiveInt } from '../src/cli/options.ts';
import { formatDbUrl, parseDbUrl, redactDbUrl } from '../src/core/db-url.ts';
import { UsageError } from '../src/core/errors.ts';
import { isLoopbackHost } from '../src/core/loopback.ts';
import { parseRep } from '../src/target/rep.ts';
import { parseRestDate, restDate } from '../src/target/dates.ts';
import { meanUs, newHistogram } from '../src/core/histogram.ts';

describe('database URLs', () => {
  it('parses, formats and redacts', () => {
    const db = parseDbUrl('mysql://openmrs:s3cr%40t@127.0.0.1:3307/openmrs');
    expect(db).toEqual({ host: '127.0.0.1', port: 3307, user: 'openmrs', password: 's3cr@t', database: 'openmrs' });
    expect(parseDbUrl(formatDbUrl(db))).toEqual(db);
    expect(redactDbUrl(formatDbUrl(db))).toBe('mysql://openmrs:***@127.0.0.1:3307/openmrs');
  });
  it('rejects what is not a MySQL URL, without echoing the password', () => {
    expect(() => parseDbUrl('postgres://u:pw@h/db')).toThrow(UsageError);
    expect(() => parseDbUrl('mysql://u:pw@h:1')).toThrow(/names no database/);
    try {
      parseDbUrl('not a url :pw@');
    } catch (e) {
      expect((e as Error).message).not.toContain('pw@');
    }
  });
});

describe('options', () => {
  it('reads whole numbers and names the option when one is not', () => {
    expect(positiveInt('50_000', '--patients')).toBe(50000);
    expect(positiveInt(undefined, '--port', 8080)).toBe(8080);
    expect(() => positiveInt('ten', '--patients')).toThrow(/--patients: 'ten'/);
    expect(() => positiveInt('-3', '--port')).toThrow(UsageError);
  });
  it('reads slowdown factors', () => {
    expect(parseFactors('search=1.2,encounter=2', '--slowdown')).toEqual({ search: 1.2, encounter: 2 });
    expect(() => parseFactors('search=0.5', '--slowdown')).toThrow(/FACTOR ≥ 1/);
    expect(() => parseFactors('search', '--slowdown')).toThrow(UsageError);
  });
  it('knows loopback addresses', () => {
    for (const h of ['127.0.0.1', '127.3.2.1', 'localhost', '::1', '[::1]']) expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['10.0.0.1', '192.168.1.5', 'example.org', '0.0.0.0']) expect(isLoopbackHost(h)).toBe(false);
  });
});

describe('representations', () => {
  it('parses nested custom representations', () => {
    const rep = parseRep('custom:(uuid,person:(gender,personName),identifiers:ref)', { kind: 'ref' });
    expect(rep.kind).toBe('custom');
    if (rep.kind !== 'custom') return;
    expect([...rep.fields.keys()]).toEqual(['uuid', 'person', 'identifiers']);
    const person = rep.fields.get('person');
    expect(person?.kind === 'custom' && [...person.fields.keys()]).toEqual(['gender', 'personName']);
    expect(rep.fields.get('identifiers')).toEqual({ kind: 'ref' });
  });
  it('rejects unknown representations', () => {
    expect(() => parseRep('everything', { kind: 'ref' })).toThrow(/Unknown representation/);
    expect(() => parseRep('custom:(a,,b)', { kind: 'ref' })).toThrow(/Malformed/);
  });
});

describe('dates', () => {
  it('reads the formats clients send and writes OpenMRS format', () => {
    expect(restDate(parseRestDate('1970-01-01T00:00:00.000+0100', 'd'))).toBe('1969-12-31T23:00:00.000+0000');
    expect(restDate(parseRestDate('2026-11-21', 'd'))).toBe('2026-11-21T00:00:00.000+0000');
    expect(restDate(parseRestDate('2026-11-21T09:30:00Z', 'd'))).toBe('2026-11-21T09:30:00.000+0000');
    expect(() => parseRestDate('21/11/2026', 'd')).toThrow();
  });
});

describe('histogram mean', () => {
  it('equals hdr-histogram-js’s own mean, by one pass over the counts', () => {
    const h = newHistogram();
    for (let i = 1; i <= 5000; i++) h.recordValue(i * i);
    expect(meanUs(h)).toBeCloseTo(h.mean, 6);
    expect(meanUs(newHistogram())).toBe(0);
  });
});
