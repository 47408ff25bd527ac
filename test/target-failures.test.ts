import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MariaDbServer } from '../src/infra/mariadb.ts';
import type { RunningTarget } from '../src/target/target.ts';
import { register } from './support/patients.ts';
import { call, startDb, startTargetOn } from './support/stack.ts';

const VITALS = '67a71486-1a54-468f-ac3e-7091a9a79584';
const WARD = 'ba685651-ed3b-4e63-9b35-78893060758a';
const FACILITY = '7b0f5697-27e3-40c4-8bae-f4049abfb4ed';
const SYSTOLIC = '5085AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

describe('bad input and dead dependencies', () => {
  let db: MariaDbServer;
  let t: RunningTarget;
  const logged: string[] = [];
  let patient: string;
  beforeAll(async () => {
    db = await startDb();
    t = await startTargetOn(db, { log: (l) => logged.push(l) });
    patient = (await register(t, { given: 'Wanjiru', family: 'Kamau' })).uuid;
  });
  afterAll(async () => {
    await t?.close();
    await db?.stop();
  });

  // Each of these is wrong in a different way; OpenMRS answers 4xx to all of them.
  const cases: [string, string, unknown][] = [
    ['patient', 'a JSON array', []],
    ['patient', 'a string', '"hello"'],
    ['patient', 'truncated JSON', '{"person": {'],
    ['patient', 'names as a string', { person: { gender: 'M', birthdate: '1990-01-01', names: 'Bob' }, identifiers: [] }],
    ['patient', 'gender as a number', { person: { gender: 7, birthdate: '1990-01-01', names: [{ givenName: 'A', familyName: 'B' }] }, identifiers: [] }],
    ['patient', 'a birthdate that is no date', { person: { gender: 'M', birthdate: 'yesterday', names: [{ givenName: 'A', familyName: 'B' }] }, identifiers: [] }],
    ['patient', 'an identifier type object without uuid', { person: { gender: 'M', age: 3, names: [{ givenName: 'A', familyName: 'B' }] }, identifiers: [{ identifier: 'X', identifierType: {} }] }],
    ['visit', 'no fields', {}],
    ['visit', 'an unknown visit type', { patient: 'PATIENT', visitType: 'nope', location: WARD }],
    ['visit', 'a start date that is a number', { patient: 'PATIENT', visitType: FACILITY, startDatetime: 12 }],
    ['encounter', 'obs not a list', { patient: 'PATIENT', encounterType: VITALS, obs: 'many' }],
    ['encounter', 'an obs without concept', { patient: 'PATIENT', encounterType: VITALS, obs: [{ value: 1 }] }],
    ['encounter', 'text for a numeric concept', { patient: 'PATIENT', encounterType: VITALS, obs: [{ concept: SYSTOLIC, value: 'high' }] }],
    ['encounter', 'an object as a value', { patient: 'PATIENT', encounterType: VITALS, obs: [{ concept: SYSTOLIC, value: { a: 1 } }] }],
    ['encounter', 'an unknown patient', { patient: '00000000-0000-0000-0000-000000000000', encounterType: VITALS }],
  ];
  it.each(cases)('POST /%s with %s answers 4xx with an OpenMRS error body', async (resource, _what, body) => {
    const filled = typeof body === 'object' ? JSON.parse(JSON.stringify(body).replaceAll('PATIENT', patient)) : body;
    const r = await call(t, resource, { method: 'POST', body: filled });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(r.json.error.message).toEqual(expect.any(String));
  });

  it('answers absurd paging with 400 and caps huge limits', async () => {
    expect((await call(t, 'patient?q=wan&limit=abc')).status).toBe(400);
    expect((await call(t, 'patient?q=wan&startIndex=-5')).status).toBe(400);
    expect((await call(t, 'patient?q=wan&limit=100000')).status).toBe(200);
  });

  it('logged nothing for bad input', () => {
    expect(logged).toEqual([]);
  });

  it('answers 500 with a cause, and logs one line, when the database dies', async () => {
    await db.stop();
    const r = await call(t, `patient/${patient}`);
    expect(r.status).toBe(500);
    expect(r.json.error.message).toEqual(expect.any(String));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/500 GET \/openmrs\/ws\/rest\/v1\/patient\/\S+ \(patient\): \S+/);
  });
});
