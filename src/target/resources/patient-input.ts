import type { IdentifierType, Location, MetadataCache, Named } from '../cache.ts';
import { parseRestDate } from '../dates.ts';
import { badRequest, conversionError, Validation } from '../errors.ts';

/**
 * Turning a patient/person JSON body into typed values. Wrong JSON types and unknown references
 * are conversion errors (400, before any validation, as webservices.rest's ConversionUtil fails);
 * missing or invalid values are collected as field errors in OpenMRS's PersonValidator/
 * PersonNameValidator terms, so a client sees every problem at once.
 */
export type Json = Record<string, unknown>;

export interface NameInput {
  uuid: string | null; preferred: boolean; prefix: string | null; givenName: string | null; middleName: string | null;
  familyNamePrefix: string | null; familyName: string | null; familyName2: string | null; familyNameSuffix: string | null;
  degree: string | null;
}
export interface AddressInput {
  uuid: string | null; preferred: boolean; fields: Record<(typeof ADDRESS_FIELDS)[number][0], string | null>;
}
export interface AttributeInput { type: Named; value: string }
export interface PersonInput {
  uuid: string | null;
  gender: string | null;
  /** yyyy-MM-dd (the column is a DATE), derived from `age` when only that was sent. */
  birthdate: string | null;
  birthdateEstimated: boolean;
  dead: boolean;
  deathDate: Date | null;
  causeOfDeathId: number | null;
  causeOfDeathNonCoded: string | null;
  names: NameInput[];
  addresses: AddressInput[];
  attributes: AttributeInput[];
}
export interface IdentifierInput {
  uuid: string | null; identifier: string | null; type: IdentifierType | null; location: Location | null; preferred: boolean;
}

const NAME_FIELDS = ['prefix', 'givenName', 'middleName', 'familyNamePrefix', 'familyName', 'familyName2', 'familyNameSuffix', 'degree'] as const;
/** JSON property, column, column width. */
export const ADDRESS_FIELDS = [
  ['address1', 'address1', 255], ['address2', 'address2', 255], ['address3', 'address3', 255], ['address4', 'address4', 255],
  ['address5', 'address5', 255], ['address6', 'address6', 255], ['cityVillage', 'city_village', 255],
  ['stateProvince', 'state_province', 255], ['countyDistrict', 'county_district', 255], ['postalCode', 'postal_code', 50],
  ['country', 'country', 50], ['latitude', 'latitude', 50], ['longitude', 'longitude', 50],
] as const;
export const GENDERS = ['M', 'F', 'O', 'U'];
const MAX_AGE_YEARS = 120;

export function asObject(v: unknown, field: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw conversionError(`${field}: expected a JSON object, got ${describe(v)}`);
  return v as Json;
}

export function optArray(v: unknown, field: string): unknown[] | null {
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v)) throw conversionError(`${field}: expected a JSON array, got ${describe(v)}`);
  return v;
}

export function optString(v: unknown, field: string): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw conversionError(`${field}: expected a string, got ${describe(v)}`);
  return v;
}

export function optBool(v: unknown, field: string): boolean | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  throw conversionError(`${field}: expected true or false, got ${describe(v)}`);
}

/** A reference as clients send it: a uuid string, or an object with a `uuid` (O3 sends {uuid, display, links}). */
export function refUuid(v: unknown, field: string): string | null {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && !Array.isArray(v) && typeof (v as Json).uuid === 'string') return (v as Json).uuid as string;
  throw conversionError(`${field}: expected a uuid or an object with a uuid, got ${describe(v)}`);
}

/** Metadata by uuid, or by name as OpenMRS's metadata resources also accept; unknown → conversion error. */
export function lookup<T extends Named>(table: { byUuid: Map<string, T>; all(): T[] }, v: unknown, field: string): T | null {
  const key = refUuid(v, field);
  if (key === null) return null;
  const found = table.byUuid.get(key) ?? table.all().find((m) => m.name === key);
  if (!found) throw conversionError(`${field}: object with given uuid doesn't exist (${key})`);
  return found;
}

function describe(v: unknown): string {
  return Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v === 'object' ? 'an object' : JSON.stringify(v);
}

export function maxLength(val: Validation, field: string, value: string | null, max: number): void {
  if (value !== null && value.length > max) {
    val.field(field, 'error.exceededMaxLengthOfField', `This value exceeds the maximum length of ${max} permitted for this field.`);
  }
}

const dateOnly = (d: Date) => d.toISOString().slice(0, 10);

export function parseName(raw: unknown, i: number, val: Validation): NameInput {
  const o = asObject(raw, `names[${i}]`);
  const name = { uuid: optString(o.uuid, `names[${i}].uuid`), preferred: optBool(o.preferred, `names[${i}].preferred`) ?? false } as NameInput;
  for (const f of NAME_FIELDS) {
    const v = optString(o[f], `names[${i}].${f}`);
    name[f] = v === null || v.trim() === '' ? null : v;
    maxLength(val, `names[${i}].${f}`, v, 50);
  }
  // PersonNameValidator: a given name is required (the family name is not).
  if (!name.givenName || !name.givenName.replace(/"/g, '').trim()) {
    val.field(`names[${i}].givenName`, 'Patient.names.required.given.family', 'You must define the Given Name');
  }
  return name;
}

export function parseAddress(raw: unknown, i: number, val: Validation): AddressInput {
  const o = asObject(raw, `addresses[${i}]`);
  const fields = {} as AddressInput['fields'];
  for (const [prop, , width] of ADDRESS_FIELDS) {
    const v = optString(o[prop], `addresses[${i}].${prop}`);
    fields[prop] = v;
    maxLength(val, `addresses[${i}].${prop}`, v, width);
  }
  return { uuid: optString(o.uuid, `addresses[${i}].uuid`), preferred: optBool(o.preferred, `addresses[${i}].preferred`) ?? false, fields };
}

/**
 * A new person's fields. `partial` (updates) leaves absent fields null instead of requiring them.
 */
export function parsePerson(o: Json, cache: MetadataCache, val: Validation, partial = false): PersonInput {
  const gender = optString(o.gender, 'gender');
  if (gender === null || !gender.trim()) {
    if (!partial) val.field('gender', 'Person.gender.required', 'Please select a gender');
  } else if (!GENDERS.includes(gender.trim().toUpperCase())) {
    val.field('gender', 'error.gender', `Invalid gender '${gender}': expected one of ${GENDERS.join(', ')}`);
  }

  let birthdate: Date | null = o.birthdate === undefined || o.birthdate === null || o.birthdate === '' ? null : parseRestDate(o.birthdate, 'birthdate');
  let birthdateEstimated = optBool(o.birthdateEstimated, 'birthdateEstimated') ?? false;
  if (o.age !== undefined && o.age !== null && (typeof o.age !== 'number' || !Number.isInteger(o.age))) {
    throw conversionError(`age: expected a whole number, got ${describe(o.age)}`);
  }
  if (!birthdate && typeof o.age === 'number') {
    // OpenMRS's setBirthdateFromAge: January 1st of the year the person turned that age, estimated.
    birthdate = new Date(Date.UTC(new Date().getUTCFullYear() - o.age, 0, 1));
    birthdateEstimated = true;
  }
  if (!birthdate && !partial) val.field('birthdate', 'Person.birthdate.required', 'Please select a valid birthdate or age');
  if (birthdate) {
    const oldest = new Date();
    oldest.setUTCFullYear(oldest.getUTCFullYear() - MAX_AGE_YEARS);
    if (birthdate.getTime() > Date.now()) val.field('birthdate', 'error.date.future', 'Cannot be a date in the future');
    else if (birthdate < oldest) val.field('birthdate', 'error.date.nonsensical', 'Nonsensical date, please check.');
  }

  const dead = optBool(o.dead, 'dead') ?? false;
  const deathDate = o.deathDate === undefined || o.deathDate === null || o.deathDate === '' ? null : parseRestDate(o.deathDate, 'deathDate');
  const causeOfDeathNonCoded = optString(o.causeOfDeathNonCoded, 'causeOfDeathNonCoded');
  maxLength(val, 'causeOfDeathNonCoded', causeOfDeathNonCoded, 255);
  const causeKey = refUuid(o.causeOfDeath, 'causeOfDeath');
  const cause = causeKey === null ? null : cache.concepts.byUuid.get(causeKey);
  if (causeKey !== null && !cause) throw conversionError(`causeOfDeath: object with given uuid doesn't exist (${causeKey})`);
  if (dead && !cause && !causeOfDeathNonCoded) {
    val.field('causeOfDeath', 'Person.dead.causeOfDeathAndCauseOfDeathNonCodedNull',
      'Cause of Death or Cause of Death (non coded) is required for people marked as deceased.');
  }
  if (deathDate && deathDate.getTime() > Date.now()) val.field('deathDate', 'error.date.future', 'Cannot be a date in the future');
  else if (deathDate && birthdate && deathDate < birthdate) val.field('deathDate', 'error.deathdate.before.birthdate', 'Death date must be after birth date');

  const rawNames = optArray(o.names, 'names');
  const names = (rawNames ?? []).map((n, i) => parseName(n, i, val));
  if (!partial && names.length === 0) val.field('names', 'Person.shouldHaveAtleastOneNonVoidedName', 'Person must have at least one non-deleted name');
  const addresses = (optArray(o.addresses, 'addresses') ?? []).map((a, i) => parseAddress(a, i, val));
  const attributes = (optArray(o.attributes, 'attributes') ?? []).flatMap((raw, i): AttributeInput[] => {
    const a = asObject(raw, `attributes[${i}]`);
    const type = lookup(cache.attributeTypes, a.attributeType, `attributes[${i}].attributeType`);
    if (!type) throw conversionError(`attributes[${i}].attributeType: required`);
    const value = typeof a.value === 'number' || typeof a.value === 'boolean' ? String(a.value) : optString(a.value, `attributes[${i}].value`);
    maxLength(val, `attributes[${i}].value`, value, 50);
    return value === null || value === '' ? [] : [{ type, value }];
  });

  const uuid = optString(o.uuid, 'uuid');
  if (uuid !== null && (uuid.length === 0 || uuid.length > 38)) throw badRequest(`uuid: '${uuid}' is not a valid uuid`);
  return {
    uuid, gender: gender === null ? null : gender.trim().toUpperCase(), birthdate: birthdate ? dateOnly(birthdate) : null,
    birthdateEstimated, dead, deathDate, causeOfDeathId: cause?.id ?? null, causeOfDeathNonCoded, names, addresses, attributes,
  };
}

export function parseIdentifier(raw: unknown, i: number, cache: MetadataCache): IdentifierInput {
  const o = asObject(raw, `identifiers[${i}]`);
  return {
    uuid: optString(o.uuid, `identifiers[${i}].uuid`),
    identifier: optString(o.identifier, `identifiers[${i}].identifier`),
    type: lookup(cache.identifierTypes, o.identifierType, `identifiers[${i}].identifierType`),
    location: lookup(cache.locations, o.location, `identifiers[${i}].location`),
    preferred: optBool(o.preferred, `identifiers[${i}].preferred`) ?? false,
  };
}

/** The index of the preferred entry: the one marked preferred, else the first. */
export function preferredIndex(items: { preferred: boolean }[]): number {
  const i = items.findIndex((x) => x.preferred);
  return i < 0 ? 0 : i;
}
