import { expect } from 'vitest';
import type { RunningTarget } from '../../src/target/target.ts';
import { call } from './stack.ts';

/** Metadata of fixtures/openmrs/metadata.sql that the patient tests name. */
export const OPENMRS_ID = '05a29f94-c0ed-11e2-94be-8c13b969e334';
export const OLD_ID = '8d79403a-c2cc-11de-8d13-0010c6dffd0f';
export const OUTPATIENT = '44c3efb0-2583-4c80-a79e-1f756a03c0a1';
export const SOURCE = '8549f706-7e85-4c1d-9424-217d50a2988b';
export const PHONE = '14d4f066-15f5-102d-96e4-000c29c2a5d7';
export const MALARIA = '116128AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
export const ADMIN_PERSON = '24252571-dd5a-11e6-9d9c-0242ac150002';

/** A fresh OpenMRS ID from the target's idgen source. */
export async function newId(t: RunningTarget): Promise<string> {
  const r = await call(t, `idgen/identifiersource/${SOURCE}/identifier`, { body: {} });
  expect(r.status).toBe(200);
  return r.json.identifier as string;
}

export interface PersonSpec {
  given: string;
  family?: string;
  middle?: string;
  family2?: string;
  extraNames?: { givenName: string; familyName: string }[];
  person?: Record<string, unknown>;
}

/** A registration body shaped like the performance suite's, with one OpenMRS ID. */
export function patientBody(identifier: string, p: PersonSpec): Record<string, unknown> {
  return {
    identifiers: [{ identifier, identifierType: OPENMRS_ID, location: OUTPATIENT, preferred: true }],
    person: {
      gender: 'F',
      birthdate: '1990-05-12',
      names: [{ givenName: p.given, middleName: p.middle, familyName: p.family, familyName2: p.family2 }, ...(p.extraNames ?? [])],
      ...p.person,
    },
  };
}

/** Every patient uuid a target acknowledged with 201 (per test file: vitest runs each in its own process). */
export const acknowledged: string[] = [];

/** Registers through `t` with an identifier from idgen; returns the 201 body. */
export async function register(t: RunningTarget, p: PersonSpec): Promise<any> {
  const r = await call(t, 'patient', { body: patientBody(await newId(t), p) });
  expect(r.status, JSON.stringify(r.json)).toBe(201);
  acknowledged.push(r.json.uuid);
  return r.json;
}

export const uuidsOf = (r: { json: any }) => (r.json.results as { uuid: string }[]).map((x) => x.uuid);
