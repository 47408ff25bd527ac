import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { MetadataCache, Named } from '../cache.ts';
import { ageOn, restDate } from '../dates.ts';
import { defineResource, nested, DEFAULT, FULL, REF, type ResourceDef } from '../rep.ts';
import { conceptDef, conceptRow, type ConceptRow } from './concept-defs.ts';
import { attributeTypeDef, identifierTypeDef, locationDef } from './metadata-defs.ts';

/** A person as the REST layer sees it: the row plus its names, addresses and attributes. */
export interface PersonAgg {
  id: number;
  uuid: string;
  gender: string | null;
  birthdate: Date | null;
  birthdateEstimated: boolean;
  birthtime: string | null;
  dead: boolean;
  deathDate: Date | null;
  deathdateEstimated: boolean;
  causeOfDeathNonCoded: string | null;
  /** Resolved from the metadata cache at load time (persons carry no cache of their own). */
  causeOfDeath?: ConceptRow | null;
  /** False for a person who is not a patient (GET /person on a user, say). */
  isPatient?: boolean;
  voided: boolean;
  dateCreated: Date;
  names: NameRow[];
  addresses: AddressRow[];
  attributes: AttributeRow[];
}
export interface NameRow {
  id: number; uuid: string; preferred: boolean; prefix: string | null; givenName: string | null; middleName: string | null;
  familyNamePrefix: string | null; familyName: string | null; familyName2: string | null; familyNameSuffix: string | null;
  degree: string | null; voided: boolean;
}
export interface AddressRow {
  id: number; uuid: string; preferred: boolean; address1: string | null; address2: string | null; cityVillage: string | null;
  stateProvince: string | null; countyDistrict: string | null; postalCode: string | null; country: string | null;
  latitude: string | null; longitude: string | null; voided: boolean;
}
export interface AttributeRow {
  id: number; uuid: string; value: string; typeId: number; voided: boolean;
  /** Resolved from the metadata cache at load time. */
  type?: Named;
}
export interface IdentifierRow {
  id: number; uuid: string; identifier: string; typeId: number; preferred: boolean; locationId: number | null; voided: boolean;
}
export interface PatientAgg {
  person: PersonAgg;
  identifiers: IdentifierRow[];
  voided: boolean;
  cache: MetadataCache;
}

const fullName = (n: NameRow | undefined) =>
  n ? [n.prefix, n.givenName, n.middleName, n.familyNamePrefix, n.familyName, n.familyName2, n.familyNameSuffix, n.degree].filter(Boolean).join(' ') : '';
export const preferredName = (p: PersonAgg) => p.names.find((n) => n.preferred && !n.voided) ?? p.names.find((n) => !n.voided);
export const preferredAddress = (p: PersonAgg) => p.addresses.find((a) => a.preferred && !a.voided) ?? p.addresses.find((a) => !a.voided);
export const preferredIdentifier = (p: PatientAgg) =>
  p.identifiers.find((i) => i.preferred && !i.voided) ?? p.identifiers.find((i) => !i.voided);

/**
 * Loads whole patients (person, names, addresses, attributes, identifiers) in five queries for any
 * number of ids, as Hibernate's batch fetching would; absent ids are simply missing from the map.
 */
export async function loadPatients(pool: Pool, cache: MetadataCache, ids: number[], withPatient = true): Promise<Map<number, PatientAgg>> {
  const out = new Map<number, PatientAgg>();
  if (ids.length === 0) return out;
  const [people] = await pool.query<RowDataPacket[]>(
    `SELECT p.*, pt.patient_id AS is_patient, pt.voided AS patient_voided FROM person p
       ${withPatient ? 'JOIN' : 'LEFT JOIN'} patient pt ON pt.patient_id = p.person_id WHERE p.person_id IN (?)`,
    [ids],
  );
  if (people.length === 0) return out;
  const found = people.map((r) => r.person_id as number);
  const [[names], [addresses], [attributes], [identifiers]] = await Promise.all([
    pool.query<RowDataPacket[]>('SELECT * FROM person_name WHERE person_id IN (?) ORDER BY preferred DESC, person_name_id', [found]),
    pool.query<RowDataPacket[]>('SELECT * FROM person_address WHERE person_id IN (?) ORDER BY preferred DESC, person_address_id', [found]),
    pool.query<RowDataPacket[]>('SELECT * FROM person_attribute WHERE person_id IN (?) AND voided = 0', [found]),
    pool.query<RowDataPacket[]>('SELECT * FROM patient_identifier WHERE patient_id IN (?) ORDER BY preferred DESC, patient_identifier_id', [found]),
  ]);
  for (const r of people) {
    const person: PersonAgg = {
      id: r.person_id, uuid: r.uuid, gender: r.gender, birthdate: r.birthdate, birthdateEstimated: !!r.birthdate_estimated,
      birthtime: r.birthtime, dead: !!r.dead, deathDate: r.death_date, deathdateEstimated: !!r.deathdate_estimated,
      causeOfDeathNonCoded: r.cause_of_death_non_coded, voided: !!r.voided, dateCreated: r.date_created,
      causeOfDeath: r.cause_of_death ? conceptRow(cache, cache.concepts.byId.get(r.cause_of_death)) : null,
      isPatient: r.is_patient !== null && r.is_patient !== undefined,
      names: [], addresses: [], attributes: [],
    };
    out.set(r.person_id, { person, identifiers: [], voided: !!(r.patient_voided ?? r.voided), cache });
  }
  for (const n of names) {
    out.get(n.person_id)?.person.names.push({
      id: n.person_name_id, uuid: n.uuid, preferred: !!n.preferred, prefix: n.prefix, givenName: n.given_name,
      middleName: n.middle_name, familyNamePrefix: n.family_name_prefix, familyName: n.family_name, familyName2: n.family_name2,
      familyNameSuffix: n.family_name_suffix, degree: n.degree, voided: !!n.voided,
    });
  }
  for (const a of addresses) {
    out.get(a.person_id)?.person.addresses.push({
      id: a.person_address_id, uuid: a.uuid, preferred: !!a.preferred, address1: a.address1, address2: a.address2,
      cityVillage: a.city_village, stateProvince: a.state_province, countyDistrict: a.county_district, postalCode: a.postal_code,
      country: a.country, latitude: a.latitude, longitude: a.longitude, voided: !!a.voided,
    });
  }
  for (const a of attributes) {
    out.get(a.person_id)?.person.attributes.push({
      id: a.person_attribute_id, uuid: a.uuid, value: a.value, typeId: a.person_attribute_type_id, voided: !!a.voided,
      type: cache.attributeTypes.byId.get(a.person_attribute_type_id),
    });
  }
  for (const i of identifiers) {
    out.get(i.patient_id)?.identifiers.push({
      id: i.patient_identifier_id, uuid: i.uuid, identifier: i.identifier, typeId: i.identifier_type, preferred: !!i.preferred,
      locationId: i.location_id, voided: !!i.voided,
    });
  }
  return out;
}

/** Person ids for uuids, in one query. */
export async function personIdsByUuid(pool: Pool, uuids: string[]): Promise<Map<string, number>> {
  if (uuids.length === 0) return new Map();
  const [rows] = await pool.query<RowDataPacket[]>('SELECT person_id, uuid FROM person WHERE uuid IN (?)', [uuids]);
  return new Map(rows.map((r) => [r.uuid as string, r.person_id as number]));
}

export const personNameDef = defineResource<NameRow>({
  name: 'personname', // links are under person/{uuid}/name in OpenMRS; a flat alias keeps links resolvable here
  uuid: (n) => n.uuid,
  display: (n) => fullName(n),
  props: {
    givenName: (n) => n.givenName, middleName: (n) => n.middleName, familyName: (n) => n.familyName,
    familyName2: (n) => n.familyName2, prefix: (n) => n.prefix, familyNamePrefix: (n) => n.familyNamePrefix,
    familyNameSuffix: (n) => n.familyNameSuffix, degree: (n) => n.degree, preferred: (n) => n.preferred, voided: (n) => n.voided,
  },
  defaultProps: ['givenName', 'middleName', 'familyName', 'familyName2', 'voided'],
  fullProps: ['givenName', 'middleName', 'familyName', 'familyName2', 'preferred', 'prefix', 'familyNamePrefix', 'familyNameSuffix', 'degree', 'voided'],
});

export const personAddressDef = defineResource<AddressRow>({
  name: 'personaddress',
  uuid: (a) => a.uuid,
  display: (a) => a.address1,
  props: {
    preferred: (a) => a.preferred, address1: (a) => a.address1, address2: (a) => a.address2, cityVillage: (a) => a.cityVillage,
    stateProvince: (a) => a.stateProvince, countyDistrict: (a) => a.countyDistrict, country: (a) => a.country,
    postalCode: (a) => a.postalCode, latitude: (a) => a.latitude, longitude: (a) => a.longitude, voided: (a) => a.voided,
  },
  defaultProps: ['preferred', 'address1', 'address2', 'cityVillage', 'stateProvince', 'country', 'postalCode', 'countyDistrict', 'latitude', 'longitude', 'voided'],
  fullProps: ['preferred', 'address1', 'address2', 'cityVillage', 'stateProvince', 'country', 'postalCode', 'countyDistrict', 'latitude', 'longitude', 'voided'],
});

export const personAttributeDef = defineResource<AttributeRow>({
  name: 'personattribute', // OpenMRS links these under person/{uuid}/attribute/{uuid}
  uuid: (a) => a.uuid,
  display: (a) => (a.type ? `${a.type.name} = ${a.value}` : a.value),
  props: {
    value: (a) => a.value,
    attributeType: (a) => nested(attributeTypeDef, a.type, REF, REF),
    voided: (a) => a.voided,
  },
  defaultProps: ['value', 'attributeType', 'voided'],
  fullProps: ['value', 'attributeType', 'voided'],
});

const activeAttributes = (p: PersonAgg) => nested(personAttributeDef, p.attributes.filter((a) => !a.voided), REF, DEFAULT);

export const personDef = defineResource<PersonAgg>({
  name: 'person',
  uuid: (p) => p.uuid,
  display: (p) => fullName(preferredName(p)),
  props: {
    gender: (p) => p.gender,
    age: (p) => ageOn(p.birthdate),
    birthdate: (p) => restDate(p.birthdate),
    birthdateEstimated: (p) => p.birthdateEstimated,
    birthtime: (p) => p.birthtime,
    dead: (p) => p.dead,
    deathDate: (p) => restDate(p.deathDate),
    deathdateEstimated: (p) => p.deathdateEstimated,
    causeOfDeath: (p) => nested(conceptDef, p.causeOfDeath, REF, REF),
    causeOfDeathNonCoded: (p) => p.causeOfDeathNonCoded,
    preferredName: (p) => nested(personNameDef, preferredName(p), REF, DEFAULT),
    personName: (p) => nested(personNameDef, preferredName(p), REF, DEFAULT),
    preferredAddress: (p) => nested(personAddressDef, preferredAddress(p), REF, DEFAULT),
    names: (p) => nested(personNameDef, p.names.filter((n) => !n.voided), REF, DEFAULT),
    addresses: (p) => nested(personAddressDef, p.addresses.filter((a) => !a.voided), REF, DEFAULT),
    attributes: activeAttributes,
    voided: (p) => p.voided,
    isPatient: (p) => p.isPatient ?? true,
  },
  defaultProps: ['gender', 'age', 'birthdate', 'birthdateEstimated', 'dead', 'deathDate', 'causeOfDeath', 'preferredName', 'preferredAddress', 'attributes', 'voided', 'birthtime', 'deathdateEstimated', 'causeOfDeathNonCoded'],
  fullProps: ['gender', 'age', 'birthdate', 'birthdateEstimated', 'dead', 'deathDate', 'causeOfDeath', 'preferredName', 'preferredAddress', 'names', 'addresses', 'attributes', 'voided', 'birthtime', 'deathdateEstimated', 'causeOfDeathNonCoded'],
});

export const patientIdentifierDef: ResourceDef<IdentifierRow & { cache: MetadataCache }> = defineResource({
  name: 'patientidentifier',
  uuid: (i) => i.uuid,
  display: (i) => `${i.cache.identifierTypes.byId.get(i.typeId)?.name ?? 'Identifier'} = ${i.identifier}`,
  props: {
    identifier: (i) => i.identifier,
    identifierType: (i) => nested(identifierTypeDef, i.cache.identifierTypes.byId.get(i.typeId), REF, REF),
    location: (i) => nested(locationDef, i.locationId ? i.cache.locations.byId.get(i.locationId) : null, REF, REF),
    preferred: (i) => i.preferred,
    voided: (i) => i.voided,
  },
  defaultProps: ['identifier', 'identifierType', 'location', 'preferred', 'voided'],
  fullProps: ['identifier', 'identifierType', 'location', 'preferred', 'voided'],
});


export const patientDef = defineResource<PatientAgg>({
  name: 'patient',
  resourceVersion: '1.8',
  uuid: (p) => p.person.uuid,
  display: (p) => {
    const id = preferredIdentifier(p);
    const name = fullName(preferredName(p.person));
    return id ? `${id.identifier} - ${name}` : name;
  },
  props: {
    patientId: (p) => p.person.id,
    identifiers: (p) => nested(patientIdentifierDef, p.identifiers.filter((i) => !i.voided).map((i) => ({ ...i, cache: p.cache })), REF, DEFAULT),
    patientIdentifier: (p) => {
      const i = preferredIdentifier(p);
      return nested(patientIdentifierDef, i ? { ...i, cache: p.cache } : null, REF, DEFAULT);
    },
    person: (p) => nested(personDef, p.person, DEFAULT, FULL),
    voided: (p) => p.voided,
    attributes: (p) => activeAttributes(p.person),
  },
  defaultProps: ['identifiers', 'person', 'voided'],
  fullProps: ['identifiers', 'person', 'voided'],
});
