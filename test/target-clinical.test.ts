import { randomUUID } from 'node:crypto';
import mysql, { type Connection, type ResultSetHeader, type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MariaDbServer } from '../src/infra/mariadb.ts';
import type { RunningTarget } from '../src/target/target.ts';
import { call, READER, startDb, startTargetOn } from './support/stack.ts';

const ciel = (id: number | string) => String(id).padEnd(36, 'A');
const VITALS_TYPE = '67a71486-1a54-468f-ac3e-7091a9a79584';
const FACILITY_VISIT = '7b0f5697-27e3-40c4-8bae-f4049abfb4ed';
const OPD_VISIT = '287463d3-2233-4c69-9851-5841a1f5e109';
const INPATIENT_WARD = 'ba685651-ed3b-4e63-9b35-78893060758a';
const PHARMACY = '7f65d926-57d6-4402-ae10-a5b3bcbf7986';
const FORM = '9f26aad4-244a-46ca-be49-1196df1a8c9a';
const ADMIN_PROVIDER = '705f5791-07a7-44b8-932f-a81f3526fc98';
const CLINICIAN = '240b26f9-dd88-4172-823d-4a8bfeb7841f';
/** The nurse's vitals, as the performance suite posts them. */
const VITALS: [number, number][] = [[5085, 120], [5086, 80], [5087, 72], [5088, 36.6], [5092, 98], [5242, 16], [5089, 70.5], [5090, 175], [1343, 25]];
const FHIR = '/ws/fhir2/R4';

const ENCOUNTER_REP =
  'custom:(uuid,display,diagnoses:(uuid,display,rank,diagnosis,certainty,voided),encounterDatetime,form:(uuid,display,name,description,encounterType,version,resources:(uuid,display,name,valueReference)),encounterType,visit,patient,obs:(uuid,concept:(uuid,display,conceptClass:(uuid,display)),display,groupMembers:(uuid,concept:(uuid,display),value:(uuid,display),display),value,obsDatetime),encounterProviders:(provider:(person)))';
const VISIT_REP_CHART =
  'custom:(uuid,encounters:(uuid,diagnoses:(uuid,display,rank,diagnosis),form:(uuid,display),encounterDatetime,orders:full,obs:full,encounterType:(uuid,display,viewPrivilege,editPrivilege),encounterProviders:(uuid,display,encounterRole:(uuid,display),provider:(uuid,person:(uuid,display)))),visitType:(uuid,name,display),startDatetime,stopDatetime,patient,attributes:(attributeType:ref,display,uuid,value)';
const VISIT_REP_LIST =
  'custom:(uuid,display,voided,indication,startDatetime,stopDatetime,encounters:(uuid,display,encounterDatetime,form:(uuid,name),location:ref,encounterType:ref,encounterProviders:(uuid,display,provider:(uuid,display))),patient:(uuid,display),visitType:(uuid,name,display),attributes:(uuid,display,attributeType:(name,datatypeClassname,uuid),value),location:(uuid,name,display))';

interface TestPatient {
  id: number;
  uuid: string;
  identifier: string;
  identifierUuid: string;
  nameUuid: string;
}

/** Writes a patient straight into the tables, so these tests do not depend on POST /patient. */
async function insertPatient(conn: Connection, given: string, family: string, identifier: string): Promise<TestPatient> {
  const p = { uuid: randomUUID(), identifier, identifierUuid: randomUUID(), nameUuid: randomUUID() };
  const [r] = await conn.query<ResultSetHeader>(
    "INSERT INTO person (gender, birthdate, creator, date_created, uuid) VALUES ('F', '1990-03-04', 1, NOW(), ?)",
    [p.uuid],
  );
  const id = r.insertId;
  await conn.query('INSERT INTO person_name (preferred, person_id, given_name, family_name, creator, date_created, uuid) VALUES (1, ?, ?, ?, 1, NOW(), ?)', [id, given, family, p.nameUuid]);
  await conn.query('INSERT INTO patient (patient_id, creator, date_created) VALUES (?, 1, NOW())', [id]);
  await conn.query(
    'INSERT INTO patient_identifier (patient_id, identifier, identifier_type, preferred, location_id, creator, date_created, uuid) VALUES (?, ?, 3, 1, 2, 1, NOW(), ?)',
    [id, identifier, p.identifierUuid],
  );
  return { id, ...p };
}

describe('reference target: visits, encounters, obs, concepts, locations, FHIR', () => {
  let db: MariaDbServer;
  let a: RunningTarget;
  let b: RunningTarget;
  let conn: Connection;
  let alice: TestPatient;
  let bob: TestPatient;

  beforeAll(async () => {
    db = await startDb();
    [a, b] = await Promise.all([startTargetOn(db, { replica: 'a' }), startTargetOn(db, { replica: 'b' })]);
    conn = await mysql.createConnection({ ...db.app, timezone: 'Z' });
    alice = await insertPatient(conn, 'Alice', 'Wanjiru', '1000AA');
    bob = await insertPatient(conn, 'Bob', 'Otieno', '1000CC');
  });
  afterAll(async () => {
    await conn?.end();
    await Promise.all([a?.close(), b?.close()]);
    await db?.stop();
  });

  const startVisit = async (p: TestPatient) => {
    const r = await call(a, 'visit', { body: { patient: p.uuid, visitType: FACILITY_VISIT, location: INPATIENT_WARD, startDatetime: null } });
    expect(r.status).toBe(201);
    return r.json.uuid as string;
  };
  const vitalsBody = (p: TestPatient, visit?: string) => ({
    patient: p.uuid,
    encounterType: VITALS_TYPE,
    location: INPATIENT_WARD,
    form: FORM,
    encounterProviders: [{ provider: ADMIN_PROVIDER, encounterRole: CLINICIAN }],
    ...(visit ? { visit } : {}),
    obs: VITALS.map(([id, value]) => ({ concept: ciel(id), value })),
  });
  const count = async (sql: string, params: unknown[]) => Number((await conn.query<RowDataPacket[]>(sql, params))[0][0]!.n);

  it('creates, reads, closes and lists visits', async () => {
    const created = await call(a, 'visit', { body: { patient: alice.uuid, visitType: { uuid: FACILITY_VISIT }, location: INPATIENT_WARD, startDatetime: null } });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      resourceVersion: '1.9', patient: { uuid: alice.uuid, display: '1000AA - Alice Wanjiru' }, visitType: { uuid: FACILITY_VISIT },
      location: { uuid: INPATIENT_WARD }, indication: null, stopDatetime: null, encounters: [], attributes: [], voided: false,
    });
    expect(created.json.display).toMatch(/^Facility Visit @ Inpatient Ward - \d\d\/\d\d\/\d{4} \d\d:\d\d$/);
    expect(created.json.startDatetime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    const uuid = created.json.uuid;
    expect((await call(a, `visit/${uuid}`)).json).toMatchObject({ uuid, display: created.json.display, resourceVersion: '1.9' });

    const active = await call(a, `visit?patient=${alice.uuid}&includeInactive=false`);
    expect(active.json.results.map((v: any) => v.uuid)).toEqual([uuid]);
    expect(Object.keys(active.json.results[0]).sort()).toEqual(['display', 'links', 'uuid']);

    const closed = await call(a, `visit/${uuid}`, { body: { stopDatetime: new Date(Date.now() + 1000).toISOString() } });
    expect(closed.status).toBe(200);
    expect(closed.json.stopDatetime).not.toBeNull();
    expect((await call(a, `visit?patient=${alice.uuid}&includeInactive=false`)).json.results).toEqual([]);
    const all = await call(a, `visit?patient=${alice.uuid}&v=default&totalCount=true`);
    expect(all.json.totalCount).toBe(1);
    expect(all.json.results[0]).toMatchObject({ uuid, resourceVersion: '1.9' });
  });

  it('rejects invalid visits with OpenMRS error bodies', async () => {
    const missing = await call(a, 'visit', { body: { location: INPATIENT_WARD } });
    expect(missing.status).toBe(400);
    expect(missing.json.error).toMatchObject({ message: 'Invalid Submission', code: 'webservices.rest.error.invalid.submission' });
    expect(Object.keys(missing.json.error.fieldErrors).sort()).toEqual(['patient', 'visitType']);

    const unknown = await call(a, 'visit', { body: { patient: alice.uuid, visitType: randomUUID() } });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.message).toMatch(/doesn't exist/);
    expect(unknown.json.error.code).toMatch(/ConversionException/);

    const backwards = await call(a, 'visit', {
      body: { patient: alice.uuid, visitType: FACILITY_VISIT, startDatetime: '2025-05-02T10:00:00.000+0000', stopDatetime: '2025-05-01T10:00:00.000+0000' },
    });
    expect(backwards.status).toBe(400);
    expect(backwards.json.error.fieldErrors.stopDatetime[0].code).toBe('Visit.error.endDateBeforeStartDate');
    expect((await call(a, 'visit', { body: { patient: alice.uuid, visitType: FACILITY_VISIT }, auth: READER })).status).toBe(403);
  });

  it('pages visit lists with links and totalCount', async () => {
    for (let i = 1; i <= 3; i++) {
      const day = `2025-0${i}-10T08:00:00.000+0000`;
      const r = await call(a, 'visit', { body: { patient: bob.uuid, visitType: FACILITY_VISIT, startDatetime: day, stopDatetime: day.replace('08:', '09:') } });
      expect(r.status).toBe(201);
    }
    const first = await call(a, `visit?patient=${bob.uuid}&limit=2&totalCount=true&v=custom:(uuid,startDatetime)`);
    expect(first.json.totalCount).toBe(3);
    expect(first.json.results.map((v: any) => v.startDatetime.slice(0, 10))).toEqual(['2025-03-10', '2025-02-10']);
    expect(first.json.links).toEqual([expect.objectContaining({ rel: 'next', uri: expect.stringContaining('startIndex=2') })]);
    const second = await call(a, first.json.links[0].uri.replace(/^.*\/ws\/rest\/v1\//, ''));
    expect(second.json.results).toHaveLength(1);
    expect(second.json.links.map((l: any) => l.rel)).toEqual(['prev']);
    expect((await call(a, `visit?patient=${bob.uuid}&fromStartDate=2025-02-01`)).json.results).toHaveLength(2);
  });

  it("saves the nurse's vitals encounter with its 9 obs in one go", async () => {
    const visit = await startVisit(alice);
    const r = await call(a, 'encounter', { body: vitalsBody(alice, visit) });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({
      resourceVersion: '1.9', patient: { uuid: alice.uuid }, location: { uuid: INPATIENT_WARD }, form: null,
      encounterType: { uuid: VITALS_TYPE, display: 'Vitals' }, orders: [], diagnoses: [], voided: false, visit: { uuid: visit },
    });
    expect(r.json.display).toMatch(/^Vitals \d\d\/\d\d\/\d{4}$/);
    expect(r.json.obs).toHaveLength(9);
    expect(r.json.obs.map((o: any) => o.display)).toContain('Systolic blood pressure: 120');
    expect(r.json.obs.map((o: any) => o.display)).toContain('Weight (kg): 70.5');
    expect(r.json.encounterProviders).toEqual([expect.objectContaining({ display: 'Super User: Clinician' })]);

    const [[enc]] = await conn.query<RowDataPacket[]>('SELECT * FROM encounter WHERE uuid = ?', [r.json.uuid]);
    expect(enc).toMatchObject({ patient_id: alice.id, location_id: 4, form_id: null });
    const [rows] = await conn.query<RowDataPacket[]>('SELECT * FROM obs WHERE encounter_id = ? ORDER BY concept_id', [enc!.encounter_id]);
    expect(rows).toHaveLength(9);
    for (const o of rows) {
      expect(o).toMatchObject({ person_id: alice.id, location_id: 4, obs_group_id: null, voided: 0 });
      expect((o.obs_datetime as Date).getTime()).toBe((enc!.encounter_datetime as Date).getTime());
    }
    expect(rows.find((o) => o.concept_id === 5088)!.value_numeric).toBeCloseTo(36.6);
    expect(await count('SELECT COUNT(*) AS n FROM encounter_provider WHERE encounter_id = ? AND encounter_role_id = 2', [enc!.encounter_id])).toBe(1);

    const got = await call(a, `encounter/${r.json.uuid}?v=full`);
    expect(got.json.obs).toHaveLength(9);
    // Full encounters render obs in their default representation: concept and encounter as refs.
    expect(got.json.obs[0]).toMatchObject({ concept: { display: expect.any(String) }, encounter: { uuid: r.json.uuid }, value: expect.any(Number) });
    expect(got.json.encounterProviders[0]).toMatchObject({ provider: { display: 'admin - Super User' }, encounterRole: { display: 'Clinician' } });
  });

  it('accepts the nurse-style encounterType object and leaves visit unassigned', async () => {
    const type = { uuid: VITALS_TYPE, display: 'Vitals', links: [{ rel: 'self', uri: 'http://x/encountertype/1' }] };
    const r = await call(a, 'encounter', { body: { ...vitalsBody(bob), encounterType: type, encounterDatetime: '2025-01-10T08:30:00.000+0000' } });
    expect(r.status).toBe(201);
    expect(r.json.visit).toBeNull();
    expect(r.json.encounterDatetime).toBe('2025-01-10T08:30:00.000+0000');
    expect(await count('SELECT COUNT(*) AS n FROM encounter WHERE uuid = ? AND visit_id IS NULL', [r.json.uuid])).toBe(1);
  });

  it('validates obs values by concept datatype, never answering 500', async () => {
    const before = await count('SELECT COUNT(*) AS n FROM encounter', []);
    const post = (obs: unknown[], extra: Record<string, unknown> = {}) =>
      call(a, 'encounter', { body: { patient: bob.uuid, encounterType: VITALS_TYPE, location: INPATIENT_WARD, obs, ...extra } });

    const text = await post([{ concept: ciel(5085), value: 'abc' }]);
    expect(text.status).toBe(400);
    expect(text.json.error.message).toBe('Invalid Submission');
    expect(text.json.error.fieldErrors.valueNumeric).toHaveLength(1);

    const high = await post([{ concept: ciel(5085), value: 300 }]);
    expect(high.status).toBe(400);
    expect(high.json.error.fieldErrors.valueNumeric[0]).toMatchObject({ code: 'error.outOfRange.high', message: expect.stringMatching(/not within the allowed range.*hiAbsolute.*250/) });
    const low = await post([{ concept: ciel(5088), value: 10 }]);
    expect(low.json.error.fieldErrors.valueNumeric[0].code).toBe('error.outOfRange.low');
    const precise = await post([{ concept: ciel(5087), value: 72.5 }]);
    expect(precise.json.error.fieldErrors.valueNumeric[0].code).toBe('error.precision');

    const unknownConcept = await post([{ concept: randomUUID(), value: 1 }]);
    expect(unknownConcept.status).toBe(400);
    expect(unknownConcept.json.error.message).toMatch(/doesn't exist/);
    const unknownAnswer = await post([{ concept: ciel(1284), value: randomUUID() }]);
    expect(unknownAnswer.status).toBe(400);
    const member = await post([{ concept: ciel(1114), groupMembers: [{ concept: ciel(5085), value: 999 }] }]);
    expect(member.status).toBe(400);
    expect(member.json.error.fieldErrors.groupMembers[0].code).toBe('Obs.error.inGroupMember');
    const noType = await call(a, 'encounter', { body: { patient: bob.uuid, obs: [] } });
    expect(noType.status).toBe(400);
    expect(Object.keys(noType.json.error.fieldErrors)).toEqual(['encounterType']);
    expect(await count('SELECT COUNT(*) AS n FROM encounter', [])).toBe(before);

    const ok = await post(
      [
        { concept: ciel(5085), value: '130' },
        { concept: ciel(1284), value: { uuid: ciel(117399) } },
        { concept: ciel(162169), value: 'Headache for two days', comment: 'triage' },
        { concept: ciel(1114), groupMembers: [{ concept: ciel(5085), value: 131 }, { concept: ciel(5086), value: 85 }] },
      ],
      { encounterDatetime: '2025-01-11T08:00:00.000+0000' },
    );
    expect(ok.status).toBe(201);
    const displays = ok.json.obs.map((o: any) => o.display).sort();
    expect(displays).toEqual(['Problem list: Hypertension', 'Systolic blood pressure: 130', 'Text of encounter note: Headache for two days', 'Vital signs: 131, 85']);
    const [members] = await conn.query<RowDataPacket[]>(
      'SELECT m.concept_id FROM obs m JOIN obs g ON g.obs_id = m.obs_group_id WHERE g.concept_id = 1114 AND g.uuid IN (?)',
      [ok.json.obs.map((o: any) => o.uuid)],
    );
    expect(members.map((m) => m.concept_id).sort()).toEqual([5085, 5086]);
  });

  it('lists a patient\'s encounters with the O3 custom representation', async () => {
    const r = await call(a, `encounter?patient=${alice.uuid}&v=${ENCOUNTER_REP}`);
    expect(r.status).toBe(200);
    const e = r.json.results[0];
    expect(e).toMatchObject({ diagnoses: [], form: null, encounterType: { uuid: VITALS_TYPE }, patient: { uuid: alice.uuid, person: expect.any(Object) } });
    expect(e.obs).toHaveLength(9);
    expect(e.obs[0]).toMatchObject({ concept: { conceptClass: { display: 'Test' } }, groupMembers: null, obsDatetime: e.encounterDatetime });
    expect(e.encounterProviders[0].provider.person).toMatchObject({ display: 'Super User', gender: 'M' });

    const refs = await call(a, `encounter?patient=${bob.uuid}&totalCount=true`);
    expect(refs.json.totalCount).toBe(2);
    expect(Object.keys(refs.json.results[0]).sort()).toEqual(['display', 'links', 'uuid']);
    const desc = await call(a, `encounter?patient=${bob.uuid}&order=desc&limit=1&v=custom:(encounterDatetime)`);
    expect(desc.json.results).toEqual([{ encounterDatetime: '2025-01-11T08:00:00.000+0000' }]);
    expect(desc.json.links[0].rel).toBe('next');
    expect((await call(a, `encounter?patient=${bob.uuid}&encounterType=${randomUUID()}`)).json.results).toEqual([]);
  });

  it('renders the visit custom representations of the chart and the visit list', async () => {
    const chart = await call(a, `visit?patient=${alice.uuid}&includeInactive=false&v=${VISIT_REP_CHART}`);
    expect(chart.status).toBe(200);
    const v = chart.json.results[0];
    expect(v).toMatchObject({ visitType: { name: 'Facility Visit' }, stopDatetime: null, attributes: [], patient: { uuid: alice.uuid } });
    const enc = v.encounters[0];
    expect(enc).toMatchObject({ orders: [], form: null, encounterType: { display: 'Vitals', viewPrivilege: null, editPrivilege: null } });
    expect(enc.obs).toHaveLength(9);
    expect(enc.obs.find((o: any) => o.concept.uuid === ciel(5085))).toMatchObject({ value: 120, resourceVersion: '1.8', person: { uuid: alice.uuid } });
    expect(enc.encounterProviders[0]).toMatchObject({ encounterRole: { display: 'Clinician' }, provider: { person: { display: 'Super User' } } });

    const list = await call(a, `visit?includeInactive=false&v=${VISIT_REP_LIST}`);
    const mine = list.json.results.find((x: any) => x.patient.uuid === alice.uuid);
    expect(mine).toMatchObject({ indication: null, voided: false, location: { name: 'Inpatient Ward' }, patient: { display: '1000AA - Alice Wanjiru' } });
    expect(mine.encounters[0]).toMatchObject({ form: null, encounterProviders: [{ display: 'Super User: Clinician', provider: { display: 'admin - Super User' } }] });
  });

  it('finds obs by patient and concept, newest first', async () => {
    const one = await call(a, `obs?patient=${bob.uuid}&concept=${ciel(5085)}`);
    expect(one.json.results.map((o: any) => o.display)).toEqual(['Systolic blood pressure: 131', 'Systolic blood pressure: 130', 'Systolic blood pressure: 120']);
    const two = await call(a, `obs?patient=${alice.uuid}&concept=${ciel(5085)},${ciel(5086)}&v=custom:(uuid,value,concept:(display))`);
    expect(two.json.results).toHaveLength(2);
    expect(two.json.results.map((o: any) => o.value).sort()).toEqual([120, 80]);
    expect((await call(a, `obs?concept=${ciel(5085)}`)).status).toBe(400);
    const obs = await call(a, `obs/${one.json.results[0].uuid}`);
    expect(obs.json).toMatchObject({
      value: 131, obsGroup: { display: 'Vital signs: 131, 85' }, groupMembers: null, valueCodedName: null, order: null,
      person: { uuid: bob.uuid }, concept: { uuid: ciel(5085) }, location: { uuid: INPATIENT_WARD }, status: 'FINAL', resourceVersion: '1.8',
    });
    const coded = await call(a, `obs?patient=${bob.uuid}&concept=${ciel(1284)}&v=default`);
    expect(coded.json.results[0].value).toMatchObject({ uuid: ciel(117399), display: 'Hypertension' });
  });

  it('searches and reads concepts from the cache', async () => {
    const q = await call(a, 'concept?q=systolic');
    expect(q.json.results[0]).toMatchObject({ uuid: ciel(5085), display: 'Systolic blood pressure' });
    const bp = await call(a, 'concept?q=blood%20pressure');
    expect(bp.json.results.map((c: any) => c.display).sort()).toEqual(['Diastolic blood pressure', 'Systolic blood pressure']);
    const c = await call(a, `concept/${ciel(5085)}`);
    expect(c.json).toMatchObject({
      resourceVersion: '2.0', hiAbsolute: 250, lowNormal: 100, units: 'mmHg', allowDecimal: false, set: false, retired: false,
      name: { name: 'Systolic blood pressure', conceptNameType: 'FULLY_SPECIFIED', locale: 'en', localePreferred: true },
      datatype: { display: 'Numeric' }, conceptClass: { display: 'Test' }, answers: [], mappings: [],
    });
    expect(c.json.names).toHaveLength(2);
    expect((await call(a, `concept/${ciel(162169)}`)).json).not.toHaveProperty('hiAbsolute');
    expect((await call(a, `concept/${ciel(5085)}?v=full`)).json.names[0]).toHaveProperty('conceptNameType');
    const set = await call(a, `concept/${ciel(1114)}?v=custom:(setMembers:(uuid,display,hiNormal,hiAbsolute,hiCritical,lowNormal,lowAbsolute,lowCritical,units))`);
    expect(set.json.setMembers).toHaveLength(9);
    expect(set.json.setMembers[0]).toEqual({
      uuid: ciel(5085), display: 'Systolic blood pressure', hiNormal: 140, hiAbsolute: 250, hiCritical: null, lowNormal: 100, lowAbsolute: 0, lowCritical: null, units: 'mmHg',
    });
  });

  it('lists locations by tag and name prefix', async () => {
    const login = await call(a, 'location?tag=Login%20Location');
    expect(login.json.results.map((l: any) => l.display)).toEqual(['Inpatient Ward', 'Isolation Ward', 'Laboratory', 'Outpatient Clinic', 'Pharmacy', 'Registration Desk']);
    const byUuid = await call(a, 'location?tag=1c783dca-fd54-4ea8-a0fc-2875374e9cb6');
    expect(byUuid.json.results.map((l: any) => l.display)).toEqual(['Inpatient Ward', 'Isolation Ward', 'Ward 1']);
    expect((await call(a, 'location?q=out')).json.results.map((l: any) => l.display)).toEqual(['Outpatient Clinic']);
    const ward = await call(a, `location/${INPATIENT_WARD}`);
    expect(ward.json.tags.map((t: any) => t.display).sort()).toEqual(['Admission Location', 'Login Location', 'Transfer Location']);
    expect(ward.json.parentLocation.display).toBe('Amani Hospital');
    expect((await call(a, 'locationtag')).json.results).toHaveLength(4);
    expect((await call(a, 'visittype')).json.results).toHaveLength(3);
    expect((await call(a, `provider/${ADMIN_PROVIDER}`)).json).toMatchObject({ display: 'admin - Super User', person: { display: 'Super User' } });
  });

  it('serves FHIR Patient, Observation, Condition and Location', async () => {
    const p = await call(a, `${FHIR}/Patient/${alice.uuid}`);
    expect(p.status).toBe(200);
    expect(p.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
    expect(p.json).toMatchObject({
      resourceType: 'Patient', id: alice.uuid, active: true, gender: 'female', birthDate: '1990-03-04', deceasedBoolean: false,
      identifier: [{ id: alice.identifierUuid, value: '1000AA', use: 'official', type: { text: 'OpenMRS ID' } }],
      name: [{ id: alice.nameUuid, family: 'Wanjiru', given: ['Alice'], text: 'Alice Wanjiru' }],
    });
    const missing = await call(a, `${FHIR}/Patient/${randomUUID()}`);
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] });

    const obs = await call(a, `${FHIR}/Observation?subject:Patient=${bob.uuid}&code=${ciel(5085)},${ciel(5086)}&_sort=-date&_count=100&_summary=data`);
    expect(obs.json).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 5, link: [{ relation: 'self' }] });
    expect(obs.json.entry).toHaveLength(5);
    const first = obs.json.entry[0];
    expect(first.fullUrl).toMatch(/\/ws\/fhir2\/R4\/Observation\//);
    expect(first.resource).toMatchObject({
      resourceType: 'Observation', status: 'final', subject: { reference: `Patient/${bob.uuid}`, type: 'Patient' },
      category: [{ coding: [{ code: 'vital-signs' }] }], code: { coding: [{ code: expect.stringMatching(/^508[56]A+$/) }] },
      valueQuantity: { unit: 'mmHg', system: 'http://unitsofmeasure.org' }, encounter: { reference: expect.stringMatching(/^Encounter\//) },
    });
    expect(first.resource.effectiveDateTime).toMatch(/^2025-01-11T08:00:00\+00:00$/);
    const paged = await call(a, `${FHIR}/Observation?patient=${bob.uuid}&code=${ciel(5085)}&_count=1`);
    expect(paged.json.total).toBe(3);
    expect(paged.json.entry).toHaveLength(1);
    expect(paged.json.link.map((l: any) => l.relation)).toEqual(['self', 'next']);

    await conn.query(
      "INSERT INTO conditions (condition_coded, clinical_status, verification_status, onset_date, date_created, patient_id, creator, uuid) VALUES (117399, 'ACTIVE', 'CONFIRMED', '2024-06-01', NOW(), ?, 1, ?)",
      [alice.id, randomUUID()],
    );
    const cond = await call(a, `${FHIR}/Condition?patient=${alice.uuid}&_count=100`);
    expect(cond.json).toMatchObject({ resourceType: 'Bundle', total: 1 });
    expect(cond.json.entry[0].resource).toMatchObject({
      resourceType: 'Condition', clinicalStatus: { coding: [{ code: 'active' }] }, code: { coding: [{ code: ciel(117399), display: 'Hypertension' }] },
      subject: { reference: `Patient/${alice.uuid}` }, onsetDateTime: '2024-06-01T00:00:00+00:00', recordedDate: expect.any(String),
    });
    const locs = await call(a, `${FHIR}/Location?_tag=Login+Location&_summary=data&_count=50`);
    expect(locs.json.total).toBe(6);
    expect(locs.json.entry.every((e: any) => e.resource.resourceType === 'Location' && e.resource.meta.tag.some((t: any) => t.code === 'Login Location'))).toBe(true);
  });

  it('answers 404 with the OpenMRS error body for unknown uuids', async () => {
    for (const path of ['visit', 'encounter', 'obs', 'concept', 'location', 'visittype', 'encountertype', 'provider']) {
      const r = await call(a, `${path}/${randomUUID()}`);
      expect(r.status, path).toBe(404);
      expect(r.json.error).toMatchObject({ message: "Object with given uuid doesn't exist", code: expect.stringMatching(/ObjectNotFoundException$/) });
    }
  });

  it('keeps metadata edits local to the replica that made them', async () => {
    const renamed = await call(a, `visittype/${OPD_VISIT}`, { body: { name: 'Outpatient Visit' } });
    expect(renamed.status).toBe(200);
    expect(renamed.json.name).toBe('Outpatient Visit');
    expect((await call(a, `visittype/${OPD_VISIT}`)).json.name).toBe('Outpatient Visit');
    expect((await call(b, `visittype/${OPD_VISIT}`)).json.name).toBe('OPD Visit');
    expect(await count("SELECT COUNT(*) AS n FROM visit_type WHERE uuid = ? AND name = 'Outpatient Visit'", [OPD_VISIT])).toBe(1);

    expect((await call(a, `location/${PHARMACY}`, { body: { description: 'Main dispensary' } })).status).toBe(200);
    expect((await call(a, `location/${PHARMACY}`)).json.description).toBe('Main dispensary');
    expect((await call(b, `location/${PHARMACY}`)).json.description).toBeNull();
    expect((await call(a, `visittype/${OPD_VISIT}`, { body: { name: 'x' }, auth: READER })).status).toBe(403);
  });

  it('shares metadata edits between replicas whose cache is shared through the database', async () => {
    const c = await startTargetOn(db, { replica: 'shared-c', cache: 'shared' });
    const d = await startTargetOn(db, { replica: 'shared-d', cache: 'shared' });
    try {
      expect((await call(d, `visittype/${OPD_VISIT}`)).status).toBe(200); // d's cache is warm
      expect((await call(c, `visittype/${OPD_VISIT}`, { body: { description: 'seen everywhere' } })).status).toBe(200);
      expect((await call(d, `visittype/${OPD_VISIT}`)).json.description).toBe('seen everywhere');
      expect((await call(c, `visittype/${OPD_VISIT}`)).json.description).toBe('seen everywhere');
    } finally {
      await Promise.all([c.close(), d.close()]);
    }
  });
});
