import type { Location, MetadataCache } from '../cache.ts';
import type { ObsAgg } from './clinical-model.ts';
import { conceptDisplay, conceptRow } from './concept-defs.ts';
import { personDef, preferredName, type PatientAgg } from './people.ts';

/** FHIR2 translations of OpenMRS objects (R4), shaped as openmrs-module-fhir2 renders them. */

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
export const fhirDate = (d: Date) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
/** dateTime at second precision with an explicit offset, as HAPI prints it. */
export const fhirDateTime = (d: Date) => `${fhirDate(d)}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}+00:00`;
/** instant (meta.lastUpdated) keeps milliseconds. */
export const fhirInstant = (d: Date) => fhirDateTime(d).replace('+00:00', `.${pad(d.getUTCMilliseconds(), 3)}+00:00`);

const VITAL_SIGNS_SET = '1114AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const CATEGORY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/observation-category';
const UCUM = 'http://unitsofmeasure.org';

function gender(g: string | null): string {
  switch ((g ?? '').toUpperCase()) {
    case 'M':
      return 'male';
    case 'F':
      return 'female';
    case 'O':
      return 'other';
    default:
      return 'unknown';
  }
}

export function patientReference(p: PatientAgg | undefined, uuid: string) {
  const id = p?.identifiers.find((i) => i.preferred && !i.voided) ?? p?.identifiers.find((i) => !i.voided);
  const type = id ? p?.cache.identifierTypes.byId.get(id.typeId)?.name : undefined;
  const name = p ? personDef.display(p.person) : undefined;
  return {
    reference: `Patient/${uuid}`,
    type: 'Patient',
    ...(name ? { display: id ? `${name} (${type ?? 'Identifier'}: ${id.identifier})` : name } : {}),
  };
}

export function fhirPatient(p: PatientAgg): Record<string, unknown> {
  const { person, cache } = p;
  const names = person.names.filter((n) => !n.voided);
  const preferred = preferredName(person);
  const out: Record<string, unknown> = {
    resourceType: 'Patient',
    id: person.uuid,
    meta: { lastUpdated: fhirInstant(person.dateCreated) },
    identifier: p.identifiers.filter((i) => !i.voided).map((i) => ({
      id: i.uuid,
      use: i.preferred ? 'official' : 'usual',
      type: { text: cache.identifierTypes.byId.get(i.typeId)?.name ?? null },
      value: i.identifier,
    })),
    active: !p.voided,
    name: [...names].sort((a, b) => Number(b === preferred) - Number(a === preferred)).map((n) => ({
      id: n.uuid,
      text: [n.givenName, n.middleName, n.familyName].filter(Boolean).join(' '),
      family: n.familyName ?? undefined,
      given: [n.givenName, n.middleName].filter((x): x is string => !!x),
    })),
    gender: gender(person.gender),
  };
  if (person.birthdate) out.birthDate = fhirDate(person.birthdate);
  if (person.deathDate) out.deceasedDateTime = fhirDateTime(person.deathDate);
  else out.deceasedBoolean = person.dead;
  out.address = person.addresses.filter((a) => !a.voided).map((a) => ({
    id: a.uuid,
    use: 'home',
    ...(a.address1 || a.address2 ? { line: [a.address1, a.address2].filter(Boolean) } : {}),
    city: a.cityVillage ?? undefined,
    district: a.countyDistrict ?? undefined,
    state: a.stateProvince ?? undefined,
    postalCode: a.postalCode ?? undefined,
    country: a.country ?? undefined,
  }));
  return out;
}

function codeable(cache: MetadataCache, conceptId: number) {
  const c = conceptRow(cache, cache.concepts.byId.get(conceptId));
  const display = c ? conceptDisplay(c) : undefined;
  return { coding: [{ code: c?.uuid, display }], text: display };
}

function category(cache: MetadataCache, conceptId: number): string | undefined {
  if (cache.concepts.byUuid.get(VITAL_SIGNS_SET)?.setMemberIds.includes(conceptId)) return 'vital-signs';
  const cls = cache.conceptClasses.byId.get(cache.concepts.byId.get(conceptId)?.classId ?? -1)?.name;
  if (cls === 'Test' || cls === 'LabSet') return 'laboratory';
  if (cls === 'Finding' || cls === 'Symptom' || cls === 'Symptom/Finding') return 'exam';
  if (cls === 'Procedure') return 'procedure';
  return undefined;
}

const CATEGORY_DISPLAY: Record<string, string> = {
  'vital-signs': 'Vital Signs', laboratory: 'Laboratory', exam: 'Exam', procedure: 'Procedure',
};

function quantity(value: number, unit: string | null) {
  return { value, ...(unit ? { unit, system: UCUM, code: unit } : {}) };
}

function referenceRanges(cache: MetadataCache, conceptId: number) {
  const n = cache.concepts.byId.get(conceptId)?.numeric;
  if (!n) return undefined;
  const ranges = [
    ['normal', n.lowNormal, n.hiNormal],
    ['treatment', n.lowCritical, n.hiCritical],
    ['absolute', n.lowAbsolute, n.hiAbsolute],
  ] as const;
  const out = ranges
    .filter(([, lo, hi]) => lo !== null || hi !== null)
    .map(([code, lo, hi]) => ({
      ...(lo !== null ? { low: quantity(lo, n.units) } : {}),
      ...(hi !== null ? { high: quantity(hi, n.units) } : {}),
      type: { coding: [{ system: 'http://fhir.openmrs.org/ext/obs/reference-range', code }] },
    }));
  return out.length ? out : undefined;
}

function obsValue(o: ObsAgg): Record<string, unknown> {
  const { cache } = o;
  const concept = cache.concepts.byId.get(o.conceptId);
  const hl7 = concept ? cache.conceptDatatypes.byId.get(concept.datatypeId)?.hl7 : undefined;
  if (o.valueCoded !== null) return { valueCodeableConcept: codeable(cache, o.valueCoded) };
  if (o.valueDatetime) return { valueDateTime: fhirDateTime(o.valueDatetime) };
  if (o.valueNumeric !== null) {
    if (hl7 === 'BIT') return { valueBoolean: o.valueNumeric !== 0 };
    return { valueQuantity: quantity(o.valueNumeric, concept?.numeric?.units ?? null) };
  }
  if (o.valueText !== null) return { valueString: o.valueText };
  return {};
}

export function fhirObservation(o: ObsAgg, patient: ReturnType<typeof patientReference>, encounterUuid: string | undefined) {
  const { cache } = o;
  const cat = category(cache, o.conceptId);
  return {
    resourceType: 'Observation',
    id: o.uuid,
    meta: { lastUpdated: fhirInstant(o.dateCreated) },
    status: o.status === 'PRELIMINARY' ? 'preliminary' : o.status === 'AMENDED' ? 'amended' : 'final',
    ...(cat ? { category: [{ coding: [{ system: CATEGORY_SYSTEM, code: cat, display: CATEGORY_DISPLAY[cat] }] }] } : {}),
    code: codeable(cache, o.conceptId),
    subject: patient,
    ...(encounterUuid ? { encounter: { reference: `Encounter/${encounterUuid}`, type: 'Encounter' } } : {}),
    effectiveDateTime: fhirDateTime(o.datetime),
    issued: fhirInstant(o.dateCreated),
    ...obsValue(o),
    ...(o.members?.length ? { hasMember: o.members.map((m) => ({ reference: `Observation/${m.uuid}`, type: 'Observation' })) } : {}),
    ...(referenceRanges(cache, o.conceptId) ? { referenceRange: referenceRanges(cache, o.conceptId) } : {}),
  };
}

const CLINICAL_STATUS: Record<string, string> = { ACTIVE: 'active', INACTIVE: 'inactive', HISTORY_OF: 'inactive' };
const VERIFICATION_STATUS: Record<string, string> = { CONFIRMED: 'confirmed', PROVISIONAL: 'provisional' };

export interface ConditionRow {
  uuid: string;
  conceptId: number | null;
  nonCoded: string | null;
  clinicalStatus: string;
  verificationStatus: string | null;
  onset: Date | null;
  end: Date | null;
  dateCreated: Date;
}

export function fhirCondition(cache: MetadataCache, c: ConditionRow, patient: ReturnType<typeof patientReference>) {
  const clinical = CLINICAL_STATUS[c.clinicalStatus] ?? c.clinicalStatus.toLowerCase();
  const verification = c.verificationStatus ? VERIFICATION_STATUS[c.verificationStatus] : undefined;
  return {
    resourceType: 'Condition',
    id: c.uuid,
    meta: { lastUpdated: fhirInstant(c.dateCreated) },
    clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: clinical }] },
    ...(verification
      ? { verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: verification }] } }
      : {}),
    code: c.conceptId !== null ? codeable(cache, c.conceptId) : { text: c.nonCoded ?? undefined },
    subject: patient,
    ...(c.onset ? { onsetDateTime: fhirDateTime(c.onset) } : {}),
    ...(c.end ? { abatementDateTime: fhirDateTime(c.end) } : {}),
    recordedDate: fhirDateTime(c.dateCreated),
  };
}

export function fhirLocation(cache: MetadataCache, l: Location) {
  const parent = l.parentId !== null ? cache.locations.byId.get(l.parentId) : undefined;
  const tags = l.tagIds.map((id) => cache.locationTags.byId.get(id)).filter((t) => t !== undefined);
  const address = { city: l.cityVillage ?? undefined, state: l.stateProvince ?? undefined, postalCode: l.postalCode ?? undefined, country: l.country ?? undefined };
  return {
    resourceType: 'Location',
    id: l.uuid,
    meta: { tag: tags.map((t) => ({ system: 'http://fhir.openmrs.org/ext/location-tag', code: t.name, display: t.description ?? undefined })) },
    status: l.retired ? 'inactive' : 'active',
    name: l.name,
    ...(l.description ? { description: l.description } : {}),
    ...(Object.values(address).some((x) => x !== undefined) ? { address } : {}),
    ...(parent ? { partOf: { reference: `Location/${parent.uuid}`, type: 'Location', display: parent.name } } : {}),
  };
}
