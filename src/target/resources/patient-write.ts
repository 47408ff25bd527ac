import { randomUUID } from 'node:crypto';
import type { Pool, PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { IdentifierType, MetadataCache } from '../cache.ts';
import { sqlDate } from '../dates.ts';
import { badRequest, conversionError, RestError, Validation } from '../errors.ts';
import { isValidLuhn30, LUHN30_ALPHABET } from '../../core/synthetic/luhn30.ts';
import {
  ADDRESS_FIELDS, asObject, optArray, parseIdentifier, parsePerson, preferredIndex, refUuid,
  type AddressInput, type IdentifierInput, type NameInput, type PersonInput,
} from './patient-input.ts';

const LUHN30_NAME = 'Luhn Mod-30 Check-Digit Validator';

/** What POST /patient asked for, parsed and validated, ready to insert. */
export interface NewPatient {
  /** An existing person to promote, or a new one to create. */
  existingPersonId: number | null;
  person: PersonInput | null;
  identifiers: IdentifierInput[];
}

export async function parseNewPatient(body: unknown, pool: Pool, cache: MetadataCache): Promise<NewPatient> {
  const o = asObject(body, 'request body');
  const val = new Validation();
  let person: PersonInput | null = null;
  let existingPersonId: number | null = null;
  if (o.person === undefined || o.person === null || o.person === '') {
    val.field('person', 'error.null', 'Cannot be empty or null');
  } else if (typeof o.person === 'string') {
    // As PatientResource: a uuid string promotes an existing person to patient.
    const [[row]] = await pool.query<RowDataPacket[]>(
      'SELECT p.person_id, pt.patient_id FROM person p LEFT JOIN patient pt ON pt.patient_id = p.person_id WHERE p.uuid = ?',
      [o.person],
    );
    if (!row) throw conversionError(`person: object with given uuid doesn't exist (${o.person})`);
    if (row.patient_id !== null) throw badRequest(`Person ${o.person} is already a patient`);
    existingPersonId = row.person_id;
  } else {
    const p = asObject(o.person, 'person');
    person = parsePerson({ ...p, uuid: p.uuid ?? o.uuid }, cache, val);
  }
  const rawIds = optArray(o.identifiers, 'identifiers') ?? [];
  const identifiers = rawIds.map((raw, i) => parseIdentifier(raw, i, cache));
  if (identifiers.length === 0) val.field('identifiers', 'error.identifiers.length', 'Must have 1 or more identifiers defined');
  if (identifiers.filter((i) => i.preferred).length > 1) {
    throw new RestError(400, 'Only one preferred identifier allowed', 'org.openmrs.module.webservices.rest.web.response.ResourceDoesNotSupportOperationException');
  }
  const first = identifiers[preferredIndex(identifiers)];
  if (first) first.preferred = true;
  val.throwIfAny();
  // PatientValidator checks identifiers only once the person itself is valid.
  await validateIdentifiers(identifiers, pool, cache, val);
  val.throwIfAny();
  return { existingPersonId, person, identifiers };
}

/** PatientIdentifierValidator and PatientService.checkPatientIdentifiers, reported as global errors. */
async function validateIdentifiers(ids: IdentifierInput[], pool: Pool, cache: MetadataCache, val: Validation): Promise<void> {
  // The validator rejects with an already resolved message, which webservices.rest then reports as both code and message.
  let rejected = 0;
  const reject = (message: string) => (rejected++, val.globalError(message, message));
  const seenTypes = new Set<number>();
  for (const pi of ids) {
    const identifier = pi.identifier?.trim() ? pi.identifier : null;
    if (!pi.type) {
      reject('Identifier Type cannot be null');
      continue;
    }
    if (!identifier) {
      reject('Identifier cannot be null or blank');
      continue;
    }
    if (identifier.length > 50) {
      reject(`Identifier ${identifier} exceeds the maximum length of 50 permitted for this field.`);
      continue;
    }
    if (seenTypes.has(pi.type.id)) reject(' Patient cannot have more than one identifier for a given identifier type');
    seenTypes.add(pi.type.id);
    if (pi.type.format && !matchesFormat(identifier, pi.type.format)) {
      reject(`Identifier "${identifier}" does not match : "${pi.type.format}"`);
      continue;
    }
    const problem = checkValidator(identifier, pi.type);
    if (problem) {
      reject(problem);
      continue;
    }
    const lb = pi.type.locationBehavior;
    if (!pi.location && (lb === null || lb === 'REQUIRED')) {
      reject(`Identifier Location cannot be null for ${identifier}`);
      continue;
    }
    if (pi.type.uniquenessBehavior !== 'NON_UNIQUE' && (await inUse(pool, identifier, pi))) {
      reject(`Identifier ${identifier} already in use by another patient`);
    }
  }
  const have = new Set(ids.map((i) => i.type?.id));
  const missing = cache.identifierTypes.all().filter((t) => t.required && !t.retired && !have.has(t.id));
  if (missing.length && rejected === 0) {
    reject(`Patient is missing the following required identifier(s): ${missing.map((t) => t.name).join(', ')}`);
  }
}

/** Java's String.matches (whole string); a format JavaScript cannot compile is treated as absent rather than failing with 500. */
function matchesFormat(identifier: string, format: string): boolean {
  try {
    return new RegExp(`^(?:${format})$`).test(identifier);
  } catch {
    return true;
  }
}

/** The type's IdentifierValidator; only idgen's Luhn mod-30 is implemented (others accept anything). */
function checkValidator(identifier: string, type: IdentifierType): string | null {
  if (!type.validator?.includes('LuhnMod30')) return null;
  if ([...identifier].some((c) => !LUHN30_ALPHABET.includes(c)) || identifier.length < 2) {
    return `Identifier ${identifier} is not appropriate for validation scheme ${LUHN30_NAME}`;
  }
  return isValidLuhn30(identifier) ? null : `Invalid check digit for identifier: ${identifier}`;
}

/** PatientService.isIdentifierInUseByAnotherPatient: an active identifier of the same type (and location, if so configured). */
async function inUse(pool: Pool, identifier: string, pi: IdentifierInput): Promise<boolean> {
  const byLocation = pi.type!.uniquenessBehavior === 'LOCATION';
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT 1 FROM patient_identifier i JOIN patient p ON p.patient_id = i.patient_id AND p.voided = 0
      WHERE i.identifier = ? AND i.identifier_type = ? AND i.voided = 0 ${byLocation ? 'AND i.location_id <=> ?' : ''} LIMIT 1`,
    byLocation ? [identifier, pi.type!.id, pi.location?.id ?? null] : [identifier, pi.type!.id],
  );
  return rows.length > 0;
}

/** Runs `fn` in one transaction on one pooled connection. */
export async function inTransaction<T>(pool: Pool, fn: (c: PoolConnection) => Promise<T>): Promise<T> {
  const c = await pool.getConnection();
  try {
    await c.beginTransaction();
    const out = await fn(c);
    await c.commit();
    return out;
  } catch (e) {
    await c.rollback().catch(() => {});
    if ((e as { code?: string }).code === 'ER_DUP_ENTRY') throw badRequest(`Duplicate uuid: ${(e as Error).message}`);
    throw e;
  } finally {
    c.release();
  }
}

const nameRow = (n: NameInput, personId: number, preferred: boolean, user: number, now: string) => [
  preferred ? 1 : 0, personId, n.prefix, n.givenName, n.middleName, n.familyNamePrefix, n.familyName, n.familyName2,
  n.familyNameSuffix, n.degree, user, now, n.uuid ?? randomUUID(),
];
const NAME_COLUMNS = 'preferred, person_id, prefix, given_name, middle_name, family_name_prefix, family_name, family_name2, family_name_suffix, degree, creator, date_created, uuid';

const addressRow = (a: AddressInput, personId: number, preferred: boolean, user: number, now: string) => [
  personId, preferred ? 1 : 0, ...ADDRESS_FIELDS.map(([prop]) => a.fields[prop]), user, now, a.uuid ?? randomUUID(),
];
const ADDRESS_COLUMNS = `person_id, preferred, ${ADDRESS_FIELDS.map(([, col]) => col).join(', ')}, creator, date_created, uuid`;

export async function insertNames(c: PoolConnection, personId: number, names: NameInput[], user: number, now: string, firstPreferred: boolean) {
  if (!names.length) return;
  const pref = firstPreferred ? preferredIndex(names) : -1;
  await c.query(`INSERT INTO person_name (${NAME_COLUMNS}) VALUES ?`, [names.map((n, i) => nameRow(n, personId, i === pref, user, now))]);
}

export async function insertAddresses(c: PoolConnection, personId: number, addresses: AddressInput[], user: number, now: string, firstPreferred: boolean) {
  if (!addresses.length) return;
  const pref = firstPreferred ? preferredIndex(addresses) : -1;
  await c.query(`INSERT INTO person_address (${ADDRESS_COLUMNS}) VALUES ?`, [
    addresses.map((a, i) => addressRow(a, personId, i === pref, user, now)),
  ]);
}

/** Inserts person (unless promoting one), names, addresses, attributes, patient and identifiers; returns the patient id. */
export async function insertPatient(pool: Pool, input: NewPatient, userId: number): Promise<number> {
  const now = sqlDate(new Date());
  return inTransaction(pool, async (c) => {
    let personId = input.existingPersonId;
    const p = input.person;
    if (p) {
      const [res] = await c.query<ResultSetHeader>(
        `INSERT INTO person (gender, birthdate, birthdate_estimated, dead, death_date, cause_of_death, cause_of_death_non_coded,
                             creator, date_created, uuid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [p.gender, p.birthdate, p.birthdateEstimated ? 1 : 0, p.dead ? 1 : 0, p.deathDate ? sqlDate(p.deathDate) : null,
          p.causeOfDeathId, p.causeOfDeathNonCoded, userId, now, p.uuid ?? randomUUID()],
      );
      personId = res.insertId;
      await insertNames(c, personId, p.names, userId, now, true);
      await insertAddresses(c, personId, p.addresses, userId, now, true);
      if (p.attributes.length) {
        await c.query('INSERT INTO person_attribute (person_id, value, person_attribute_type_id, creator, date_created, uuid) VALUES ?', [
          p.attributes.map((a) => [personId, a.value, a.type.id, userId, now, randomUUID()]),
        ]);
      }
    }
    await c.query('INSERT INTO patient (patient_id, creator, date_created) VALUES (?, ?, ?)', [personId, userId, now]);
    await c.query(
      'INSERT INTO patient_identifier (patient_id, identifier, identifier_type, preferred, location_id, creator, date_created, uuid) VALUES ?',
      [input.identifiers.map((i) => [personId, i.identifier, i.type!.id, i.preferred ? 1 : 0, i.location?.id ?? null, userId, now, i.uuid ?? randomUUID()])],
    );
    return personId!;
  });
}

/**
 * POST /patient/{uuid} (and /person/{uuid}): updates the person's own fields, edits names and
 * addresses that carry a known uuid and adds those that do not. Identifiers are left alone, as
 * PatientResource only sets them on creation.
 */
export async function updatePerson(pool: Pool, cache: MetadataCache, personId: number, body: unknown, userId: number): Promise<void> {
  const o = asObject(body, 'request body');
  const raw = o.person === undefined ? o : o.person;
  if (typeof raw === 'string' || raw === null) return; // {person: "<uuid>"}: nothing to change
  const val = new Validation();
  const p = parsePerson(asObject(raw, 'person'), cache, val, true);
  val.throwIfAny();
  const src = asObject(raw, 'person');
  const now = sqlDate(new Date());
  await inTransaction(pool, async (c) => {
    const sets: string[] = [];
    const params: unknown[] = [];
    const set = (col: string, v: unknown) => {
      sets.push(`${col} = ?`);
      params.push(v);
    };
    if (p.gender !== null) set('gender', p.gender);
    if (p.birthdate !== null) set('birthdate', p.birthdate);
    if (src.birthdateEstimated !== undefined || (src.age !== undefined && src.birthdate === undefined)) set('birthdate_estimated', p.birthdateEstimated ? 1 : 0);
    if (src.dead !== undefined) set('dead', p.dead ? 1 : 0);
    if (src.deathDate !== undefined) set('death_date', p.deathDate ? sqlDate(p.deathDate) : null);
    if (src.causeOfDeath !== undefined) set('cause_of_death', refUuid(src.causeOfDeath, 'causeOfDeath') ? p.causeOfDeathId : null);
    if (src.causeOfDeathNonCoded !== undefined) set('cause_of_death_non_coded', p.causeOfDeathNonCoded);
    set('changed_by', userId);
    set('date_changed', now);
    await c.query(`UPDATE person SET ${sets.join(', ')} WHERE person_id = ?`, [...params, personId]);
    const fresh: NameInput[] = [];
    for (const n of p.names) {
      const [res] = n.uuid
        ? await c.query<ResultSetHeader>(
            `UPDATE person_name SET prefix = ?, given_name = ?, middle_name = ?, family_name_prefix = ?, family_name = ?, family_name2 = ?,
                    family_name_suffix = ?, degree = ?, changed_by = ?, date_changed = ? WHERE uuid = ? AND person_id = ?`,
            [n.prefix, n.givenName, n.middleName, n.familyNamePrefix, n.familyName, n.familyName2, n.familyNameSuffix, n.degree, userId, now, n.uuid, personId],
          )
        : [{ affectedRows: 0 }];
      if (!res.affectedRows) fresh.push(n);
    }
    await insertNames(c, personId, fresh, userId, now, false);
    const freshAddresses: AddressInput[] = [];
    for (const a of p.addresses) {
      const [res] = a.uuid
        ? await c.query<ResultSetHeader>(
            `UPDATE person_address SET ${ADDRESS_FIELDS.map(([, col]) => `${col} = ?`).join(', ')}, changed_by = ?, date_changed = ?
              WHERE uuid = ? AND person_id = ?`,
            [...ADDRESS_FIELDS.map(([prop]) => a.fields[prop]), userId, now, a.uuid, personId],
          )
        : [{ affectedRows: 0 }];
      if (!res.affectedRows) freshAddresses.push(a);
    }
    await insertAddresses(c, personId, freshAddresses, userId, now, false);
  });
}

/** DELETE /patient/{uuid}: PatientService.voidPatient voids the patient, its person and its identifiers. */
export async function voidPatient(pool: Pool, patientId: number, userId: number, reason: string): Promise<void> {
  const now = sqlDate(new Date());
  await inTransaction(pool, async (c) => {
    const args = [userId, now, reason];
    await c.query('UPDATE patient SET voided = 1, voided_by = ?, date_voided = ?, void_reason = ? WHERE patient_id = ? AND voided = 0', [...args, patientId]);
    await c.query('UPDATE person SET voided = 1, voided_by = ?, date_voided = ?, void_reason = ? WHERE person_id = ? AND voided = 0', [...args, patientId]);
    await c.query('UPDATE patient_identifier SET voided = 1, voided_by = ?, date_voided = ?, void_reason = ? WHERE patient_id = ? AND voided = 0', [...args, patientId]);
  });
}
