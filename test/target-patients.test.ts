import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MariaDbServer } from '../src/infra/mariadb.ts';
import { luhn30CheckChar } from '../src/core/synthetic/luhn30.ts';
import type { RunningTarget } from '../src/target/target.ts';
import {
  ADMIN_PERSON, MALARIA, newId, OLD_ID, OPENMRS_ID, OUTPATIENT, patientBody as body, PHONE, register, SOURCE, uuidsOf,
} from './support/patients.ts';
import { READER, call, startDb, startTargetOn } from './support/stack.ts';

const O3_SEARCH_REP =
  'custom:(patientId,uuid,identifiers,display,patientIdentifier:(uuid,identifier),person:(gender,age,birthdate,birthdateEstimated,personName,addresses,display,dead,deathDate),attributes:(value,attributeType:(name)))';
const ATTR_REP =
  'custom:(uuid,display,identifiers:(identifier,uuid,identifierType:(name,uuid)),person:(age,display,gender,uuid,attributes:(value,attributeType:(uuid,display))))';

describe('reference target: patients', () => {
  let db: MariaDbServer;
  let a: RunningTarget;
  let b: RunningTarget; // a second replica on the same database, searching by SQL
  let sql: mysql.Connection;

  beforeAll(async () => {
    db = await startDb();
    [a, b] = await Promise.all([startTargetOn(db, { replica: 'a' }), startTargetOn(db, { replica: 'b', search: 'db' })]);
    sql = await mysql.createConnection(db.app);
  });
  afterAll(async () => {
    await sql?.end();
    await Promise.all([a, b].filter(Boolean).map((t) => t.close()));
    await db?.stop();
  });

  describe('status codes and error bodies', () => {
    it('answers 401 with WWW-Authenticate unless Disable-WWW-Authenticate is sent', async () => {
      const r = await call(a, 'patient?q=smith', { auth: null });
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toBe('Basic realm="OpenMRS at /openmrs"');
      const quiet = await call(a, 'patient?q=smith', { auth: null, headers: { 'Disable-WWW-Authenticate': 'true' } });
      expect(quiet.status).toBe(401);
      expect(quiet.headers.get('www-authenticate')).toBeNull();
    });

    it('answers 200 authenticated:false for bad credentials on /session and 400 for a Basic value without colon', async () => {
      const bad = await call(a, 'session', { auth: 'Basic ' + Buffer.from('admin:wrong').toString('base64') });
      expect(bad.status).toBe(200);
      expect(bad.json.authenticated).toBe(false);
      const malformed = await call(a, 'session', { auth: 'Basic ' + Buffer.from('adminAdmin123').toString('base64') });
      expect(malformed.status).toBe(400);
    });

    it('answers 403 to a reader registering a patient, while the reader may search', async () => {
      const r = await call(a, 'patient', { auth: READER, body: body('10000F', { given: 'No', family: 'Access' }) });
      expect(r.status).toBe(403);
      expect(r.json.error.message).toMatch(/Add Patients/);
      expect((await call(a, 'patient?q=smith', { auth: READER })).status).toBe(200);
      expect((await call(a, `idgen/identifiersource/${SOURCE}/identifier`, { auth: READER, body: {} })).status).toBe(403);
    });

    it('answers 404 for unknown uuids and 405 for wrong methods', async () => {
      for (const path of ['patient/no-such-uuid', 'person/no-such-uuid', 'patientidentifiertype/no-such-uuid']) {
        const r = await call(a, path);
        expect(r.status).toBe(404);
        expect(r.json.error.message).toBe("Object with given uuid doesn't exist");
      }
      expect((await call(a, `idgen/identifiersource/no-such-source/identifier`, { body: {} })).status).toBe(404);
      expect((await call(a, 'patient', { method: 'PUT', body: {} })).status).toBe(405);
      expect((await call(a, 'patient', { method: 'DELETE' })).status).toBe(405);
    });

    it('refuses to list all patients', async () => {
      const r = await call(a, 'patient');
      expect(r.status).toBe(400);
      expect(r.json.error.code).toMatch(/ResourceDoesNotSupportOperationException/);
    });

    it('answers 400 for malformed JSON and wrong JSON types, never 500', async () => {
      const id = await newId(a);
      const good = body(id, { given: 'Type', family: 'Check' });
      const person = good.person as Record<string, unknown>;
      const cases: unknown[] = [
        '{"person": ',
        '[1,2]',
        { ...good, person: { ...person, names: 'Type Check' } },
        { ...good, person: { ...person, gender: 1 } },
        { ...good, person: { ...person, names: [{ givenName: 7 }] } },
        { ...good, person: { ...person, birthdate: 'yesterday' } },
        { ...good, person: { ...person, age: 'forty' } },
        { ...good, person: 42 },
        { ...good, identifiers: { identifier: id } },
        { ...good, identifiers: [{ identifier: id, identifierType: 5, location: OUTPATIENT }] },
      ];
      for (const c of cases) {
        const r = await call(a, 'patient', { body: c });
        expect(r.status, JSON.stringify(c)).toBe(400);
        expect(r.json.error.message).toBeTruthy();
      }
    });

    it('reports missing and invalid fields as an Invalid Submission', async () => {
      const id = await newId(a);
      const noPerson = await call(a, 'patient', { body: { identifiers: body(id, { given: 'x' }).identifiers } });
      expect(noPerson.status).toBe(400);
      expect(noPerson.json.error).toMatchObject({ message: 'Invalid Submission', code: 'webservices.rest.error.invalid.submission' });
      expect(noPerson.json.error.fieldErrors.person[0].code).toBe('error.null');

      const r = await call(a, 'patient', { body: { identifiers: [], person: { gender: 'X', names: [] } } });
      expect(r.status).toBe(400);
      const fe = r.json.error.fieldErrors;
      expect(fe.gender[0].code).toBe('error.gender');
      expect(fe.names[0].code).toBe('Person.shouldHaveAtleastOneNonVoidedName');
      expect(fe.birthdate[0].code).toBe('Person.birthdate.required');
      expect(fe.identifiers[0].code).toBe('error.identifiers.length');

      const more = await call(a, 'patient', {
        body: body(id, { given: ' ', family: 'Blank', person: { gender: undefined, birthdate: '2999-01-01' } }),
      });
      expect(more.status).toBe(400);
      expect(more.json.error.fieldErrors['names[0].givenName'][0].code).toBe('Patient.names.required.given.family');
      expect(more.json.error.fieldErrors.gender[0].code).toBe('Person.gender.required');
      expect(more.json.error.fieldErrors.birthdate[0].code).toBe('error.date.future');

      const long = await call(a, 'patient', { body: body(id, { given: 'x'.repeat(51), family: 'Long' }) });
      expect(long.status).toBe(400);
      expect(long.json.error.fieldErrors['names[0].givenName'][0].code).toBe('error.exceededMaxLengthOfField');
    });

    it('rejects unknown identifier types and locations, bad check characters and identifiers in use', async () => {
      const id = await newId(a);
      const unknownType = body(id, { given: 'Bad', family: 'Type' });
      (unknownType.identifiers as any)[0].identifierType = 'no-such-type';
      const r1 = await call(a, 'patient', { body: unknownType });
      expect(r1.status).toBe(400);
      expect(r1.json.error.message).toMatch(/doesn't exist/);

      const unknownLocation = body(id, { given: 'Bad', family: 'Location' });
      (unknownLocation.identifiers as any)[0].location = { uuid: 'no-such-location', display: 'Nowhere' };
      expect((await call(a, 'patient', { body: unknownLocation })).status).toBe(400);

      const base = id.slice(0, -1);
      const wrong = base + (luhn30CheckChar(base) === 'A' ? 'C' : 'A');
      const r2 = await call(a, 'patient', { body: body(wrong, { given: 'Bad', family: 'Check' }) });
      expect(r2.status).toBe(400);
      expect(r2.json.error.globalErrors[0].message).toBe(`Invalid check digit for identifier: ${wrong}`);

      const onlyOld = body(id, { given: 'Only', family: 'Old' });
      (onlyOld.identifiers as any)[0].identifierType = OLD_ID;
      const r3 = await call(a, 'patient', { body: onlyOld });
      expect(r3.status).toBe(400);
      expect(r3.json.error.globalErrors[0].message).toMatch(/missing the following required identifier\(s\): OpenMRS ID/);

      expect((await call(a, 'patient', { body: body(id, { given: 'First', family: 'Holder' }) })).status).toBe(201);
      const dup = await call(b, 'patient', { body: body(id, { given: 'Second', family: 'Holder' }) });
      expect(dup.status).toBe(400);
      expect(dup.json.error.globalErrors[0].message).toBe(`Identifier ${id} already in use by another patient`);
      const [rows] = await sql.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM patient_identifier WHERE identifier = ?', [id]);
      expect(Number(rows[0]!.n)).toBe(1);
    });

    it('answers 400 for a negative, zero or non-numeric limit or startIndex', async () => {
      for (const q of ['limit=-1', 'limit=abc', 'limit=0', 'startIndex=-5', 'startIndex=x']) {
        const r = await call(a, `patient?q=smith&${q}`);
        expect(r.status, q).toBe(400);
      }
      expect((await call(a, 'patient?q=s&limit=abc')).status).toBe(400);
    });
  });

  describe('registration', () => {
    it("accepts the performance suite's registration payload with 201 and the default representation", async () => {
      const identifier = await newId(a);
      const payload = {
        identifiers: [{ identifier, identifierType: OPENMRS_ID, location: OUTPATIENT, preferred: true }],
        person: {
          gender: 'M', age: 47, birthdate: '1970-01-01T00:00:00.000+0100', birthdateEstimated: false, dead: false,
          deathDate: null, causeOfDeath: null, names: [{ givenName: 'Jayasanka', familyName: 'Smith' }],
          addresses: [{ address1: '30, Vivekananda Layout, Munnekolal,Marathahalli', cityVillage: 'Bengaluru', country: 'India', postalCode: '560037' }],
        },
      };
      const r = await call(a, '/ws/rest/v1/patient/', { body: payload });
      expect(r.status).toBe(201);
      const p = r.json;
      expect(p.uuid).toMatch(/^[0-9a-f-]{36}$/);
      expect(p.display).toBe(`${identifier} - Jayasanka Smith`);
      expect(p.identifiers).toHaveLength(1);
      expect(Object.keys(p.identifiers[0]).sort()).toEqual(['display', 'links', 'uuid']);
      expect(p.identifiers[0].display).toBe(`OpenMRS ID = ${identifier}`);
      // The target runs in UTC: midnight at +0100 is the evening before.
      expect(p.person).toMatchObject({
        uuid: p.uuid, display: 'Jayasanka Smith', gender: 'M', birthdate: '1969-12-31T00:00:00.000+0000', birthdateEstimated: false,
        dead: false, deathDate: null, causeOfDeath: null, voided: false, resourceVersion: '1.8',
      });
      expect(p.person.age).toBeGreaterThanOrEqual(55);
      expect(p.person.preferredName.display).toBe('Jayasanka Smith');
      expect(p.person.preferredAddress.display).toBe('30, Vivekananda Layout, Munnekolal,Marathahalli');
      expect(p.voided).toBe(false);
      expect(p.resourceVersion).toBe('1.8');
      expect(p.links.map((l: any) => l.rel)).toEqual(['self', 'full']);

      const [[person]] = await sql.query<mysql.RowDataPacket[]>(
        `SELECT ps.person_id, ps.gender, DATE_FORMAT(ps.birthdate, '%Y-%m-%d') AS bd, ps.creator, pt.patient_id,
                n.given_name, n.family_name, n.preferred AS name_preferred, ad.city_village, ad.preferred AS address_preferred,
                i.identifier, i.preferred AS id_preferred, i.identifier_type, i.location_id
           FROM person ps JOIN patient pt ON pt.patient_id = ps.person_id
           JOIN person_name n ON n.person_id = ps.person_id JOIN person_address ad ON ad.person_id = ps.person_id
           JOIN patient_identifier i ON i.patient_id = ps.person_id WHERE ps.uuid = ?`,
        [p.uuid],
      );
      expect(person).toMatchObject({
        gender: 'M', bd: '1969-12-31', creator: 1, given_name: 'Jayasanka', family_name: 'Smith', name_preferred: 1,
        city_village: 'Bengaluru', address_preferred: 1, identifier, id_preferred: 1, identifier_type: 3, location_id: 3,
      });
      expect(person!.patient_id).toBe(person!.person_id);
    });

    it('derives an estimated birthdate from age alone, accepts reference objects and a supplied uuid', async () => {
      const uuid = '0b5a7d3e-1c8f-4e55-9d8a-3f2b1c4d5e6f';
      const identifier = await newId(a);
      const r = await call(a, 'patient', {
        body: {
          identifiers: [{ identifier, identifierType: { uuid: OPENMRS_ID, display: 'OpenMRS ID' }, location: { uuid: OUTPATIENT } }],
          person: { uuid, gender: 'u', age: 30, names: [{ givenName: 'Aged', familyName: 'Only' }], attributes: [{ attributeType: PHONE, value: '0722000000' }] },
        },
      });
      expect(r.status).toBe(201);
      expect(r.json.uuid).toBe(uuid);
      expect(r.json.person).toMatchObject({ gender: 'U', birthdateEstimated: true, age: 30 });
      expect(r.json.person.birthdate).toBe(`${new Date().getUTCFullYear() - 30}-01-01T00:00:00.000+0000`);
      expect(r.json.person.attributes[0].display).toBe('Telephone Number = 0722000000');
      const again = await call(a, 'patient', { body: { ...body(await newId(a), { given: 'Same', family: 'Uuid' }), uuid } });
      expect(again.status).toBe(400);
    });
  });

  describe('promotion', () => {
    it('makes an existing person (given as a uuid string) a patient, once', async () => {
      const rita = '2d7a7c0e-9c63-4b2f-8f2e-6a0d5a1f3e01';
      const identifier = await newId(a);
      const ids = [{ identifier, identifierType: OPENMRS_ID, location: OUTPATIENT }];
      const r = await call(a, 'patient', { body: { person: rita, identifiers: ids } });
      expect(r.status).toBe(201);
      expect(r.json).toMatchObject({ uuid: rita, display: `${identifier} - Rita Reader` });
      expect(uuidsOf(await call(a, 'patient?q=rita'))).toEqual([rita]);
      const again = await call(a, 'patient', { body: { person: rita, identifiers: [{ ...ids[0], identifier: await newId(a) }] } });
      expect(again.status).toBe(400);
      expect((await call(a, 'patient', { body: { person: 'no-such-person', identifiers: ids } })).status).toBe(400);
    });
  });

  describe('representations', () => {
    let p: any;
    beforeAll(async () => {
      p = await register(a, {
        given: 'Rep', middle: 'Resent', family: 'Ation',
        person: { attributes: [{ attributeType: PHONE, value: '0711111111' }], dead: true, deathDate: '2024-02-03', causeOfDeath: MALARIA },
      });
    });

    it('renders ref, default and full for GET /patient/{uuid}', async () => {
      const ref = await call(a, `patient/${p.uuid}?v=ref`);
      expect(Object.keys(ref.json).sort()).toEqual(['display', 'links', 'uuid']);
      const def = await call(a, `patient/${p.uuid}`);
      expect(def.json.person.preferredName).toEqual(expect.objectContaining({ display: 'Rep Resent Ation' }));
      expect(def.json.person.names).toBeUndefined();
      expect(def.json.person.causeOfDeath).toMatchObject({ uuid: MALARIA, display: 'Malaria' });
      const full = await call(a, `patient/${p.uuid}?v=full`);
      expect(full.json.identifiers[0].identifierType).toMatchObject({ uuid: OPENMRS_ID, display: 'OpenMRS ID' });
      expect(full.json.person.names[0]).toMatchObject({ givenName: 'Rep', middleName: 'Resent', familyName: 'Ation' });
      expect(full.json.resourceVersion).toBe('1.8');
    });

    it("renders O3's search and attribute representations and the person causeOfDeath representation", async () => {
      const o3 = await call(a, `patient/${p.uuid}?v=${O3_SEARCH_REP}`);
      expect(o3.status).toBe(200);
      expect(o3.json.patientId).toEqual(expect.any(Number));
      expect(o3.json.patientIdentifier).toEqual({ uuid: p.identifiers[0].uuid, identifier: p.display.split(' - ')[0] });
      expect(o3.json.person).toMatchObject({ gender: 'F', birthdate: '1990-05-12T00:00:00.000+0000', dead: true, deathDate: '2024-02-03T00:00:00.000+0000' });
      expect(o3.json.person.personName.display).toBe('Rep Resent Ation');
      expect(o3.json.attributes).toEqual([{ value: '0711111111', attributeType: { name: 'Telephone Number' } }]);
      const attr = await call(a, `patient/${p.uuid}?v=${ATTR_REP}`);
      expect(attr.json.identifiers[0].identifierType).toEqual({ name: 'OpenMRS ID', uuid: OPENMRS_ID });
      expect(attr.json.person.attributes).toEqual([{ value: '0711111111', attributeType: { uuid: PHONE, display: 'Telephone Number' } }]);
      const cause = await call(a, `person/${p.uuid}?v=custom:(causeOfDeath:(display),causeOfDeathNonCoded)`);
      expect(cause.json).toEqual({ causeOfDeath: { display: 'Malaria' }, causeOfDeathNonCoded: null });
    });

    it('serves any person through /person, including non-patients', async () => {
      const r = await call(a, `person/${ADMIN_PERSON}?v=custom:(uuid,display,isPatient)`);
      expect(r.json).toEqual({ uuid: ADMIN_PERSON, display: 'Super User', isPatient: false });
      expect((await call(a, `patient/${ADMIN_PERSON}`)).status).toBe(404);
      const search = await call(a, 'person?q=super');
      expect(uuidsOf(search)).toEqual([ADMIN_PERSON]);
    });

    it('lists identifier types with the registration page representation', async () => {
      const r = await call(a, 'patientidentifiertype?v=custom:(display,uuid,name,format,required,uniquenessBehavior)');
      expect(r.json.results).toContainEqual({ display: 'OpenMRS ID', uuid: OPENMRS_ID, name: 'OpenMRS ID', format: null, required: true, uniquenessBehavior: 'UNIQUE' });
      const ref = await call(a, 'patientidentifiertype');
      expect(ref.json.results).toHaveLength(3);
      expect(Object.keys(ref.json.results[0]).sort()).toEqual(['display', 'links', 'uuid']);
      expect((await call(a, `patientidentifiertype/${OPENMRS_ID}`)).json.validator).toMatch(/LuhnMod30/);
    });
  });

  describe('updates and voiding', () => {
    it('updates person fields and names, then voids the patient', async () => {
      const p = await register(a, { given: 'Before', family: 'Rename' });
      const full = await call(a, `patient/${p.uuid}?v=full`);
      const nameUuid = full.json.person.names[0].uuid;
      const r = await call(a, `patient/${p.uuid}`, { body: { person: { gender: 'M', names: [{ uuid: nameUuid, givenName: 'After', familyName: 'Rename' }] } } });
      expect(r.status).toBe(200);
      expect(r.json.person).toMatchObject({ gender: 'M', display: 'After Rename' });
      expect(uuidsOf(await call(a, 'patient?q=after rename'))).toEqual([p.uuid]);
      expect(uuidsOf(await call(a, 'patient?q=before rename'))).toEqual([]);
      const bad = await call(a, `patient/${p.uuid}`, { body: { person: { gender: 9 } } });
      expect(bad.status).toBe(400);

      expect(uuidsOf(await call(b, 'patient?q=after rename'))).toEqual([p.uuid]);
      expect((await call(a, `patient/${p.uuid}`, { method: 'DELETE', auth: READER })).status).toBe(403);
      expect((await call(a, `patient/${p.uuid}`, { method: 'DELETE' })).status).toBe(204);
      expect(uuidsOf(await call(a, 'patient?q=after rename'))).toEqual([]);
      expect(uuidsOf(await call(b, 'patient?q=after rename'))).toEqual([]);
      expect((await call(a, `patient/${p.uuid}`)).json.voided).toBe(true);
      const [[row]] = await sql.query<mysql.RowDataPacket[]>('SELECT pt.voided FROM patient pt JOIN person ps ON ps.person_id = pt.patient_id WHERE ps.uuid = ?', [p.uuid]);
      expect(row!.voided).toBe(1);
    });
  });
});
