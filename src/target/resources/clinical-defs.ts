import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { Provider } from '../cache.ts';
import type { RequestContext } from '../context.ts';
import { restDate } from '../dates.ts';
import { defineResource, nested, DEFAULT, FULL, REF, type ResourceDef } from '../rep.ts';
import { Graph, type EncounterAgg, type EncounterProviderAgg, type ObsAgg, type VisitAgg } from './clinical-model.ts';
import { conceptDef, conceptDisplay, conceptRow } from './concept-defs.ts';
import { encounterRoleDef, encounterTypeDef, locationDef, visitTypeDef, withCache } from './metadata-defs.ts';
import { patientDef, personDef, type PersonAgg } from './people.ts';

const pad = (n: number) => String(n).padStart(2, '0');
/** Context.getDateFormat() for en_GB, as OpenMRS uses in display strings. */
export const displayDate = (d: Date) => `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;
const displayDateTime = (d: Date) => `${displayDate(d)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;

const auditInfo = (e: { dateCreated: Date }) => ({ creator: null, dateCreated: restDate(e.dateCreated), changedBy: null, dateChanged: null });

/** A provider with its person loaded, so display and `provider:(person)` render as OpenMRS does. */
export type ProviderView = Provider & { person?: PersonAgg };

const providerName = (p: ProviderView) => p.name ?? (p.person ? personDef.display(p.person) : null) ?? '';

export const providerViewDef = defineResource<ProviderView>({
  name: 'provider',
  uuid: (p) => p.uuid,
  display: (p) => (p.identifier ? `${p.identifier} - ${providerName(p)}` : providerName(p)),
  refExtra: (p) => (p.retired ? { retired: true } : {}),
  props: {
    person: (p) => nested(personDef, p.person, REF, DEFAULT),
    name: (p) => p.name,
    identifier: (p) => p.identifier,
    attributes: () => [],
    retired: (p) => p.retired,
    auditInfo: () => null,
  },
  defaultProps: ['person', 'identifier', 'attributes', 'retired'],
  fullProps: ['person', 'name', 'identifier', 'attributes', 'retired', 'auditInfo'],
});

const providerView = (ep: EncounterProviderAgg): ProviderView | undefined => {
  const p = ep.cache.providers.byId.get(ep.providerId);
  return p ? { ...p, person: ep.person } : undefined;
};

export const encounterProviderDef = defineResource<EncounterProviderAgg>({
  // OpenMRS links these as encounter/{uuid}/encounterprovider/{uuid}.
  name: 'encounterprovider',
  resourceVersion: '1.9',
  uuid: (ep) => ep.uuid,
  display: (ep) => {
    const p = providerView(ep);
    return `${p ? providerName(p) : ''}: ${ep.cache.encounterRoles.byId.get(ep.roleId)?.name ?? ''}`;
  },
  props: {
    provider: (ep) => nested(providerViewDef, providerView(ep), REF, DEFAULT),
    encounterRole: (ep) => nested(encounterRoleDef, ep.cache.encounterRoles.byId.get(ep.roleId), REF, DEFAULT),
    voided: (ep) => ep.voided,
  },
  defaultProps: ['provider', 'encounterRole', 'voided'],
  fullProps: ['provider', 'encounterRole', 'voided'],
});

/** Obs.getValueAsString: integers for non-decimal numerics, Java's Double.toString otherwise, members joined for groups. */
export function obsValueString(o: ObsAgg): string {
  if (o.members && o.members.length) return o.members.map(obsValueString).join(', ');
  const c = o.cache.concepts.byId.get(o.conceptId);
  const hl7 = c ? o.cache.conceptDatatypes.byId.get(c.datatypeId)?.hl7 : undefined;
  if (o.valueCoded !== null) {
    const answer = conceptRow(o.cache, o.cache.concepts.byId.get(o.valueCoded));
    return answer ? conceptDisplay(answer) : '';
  }
  if (o.valueDatetime) return hl7 === 'DT' ? displayDate(o.valueDatetime) : displayDateTime(o.valueDatetime);
  if (o.valueNumeric !== null) {
    if (hl7 === 'BIT') return o.valueNumeric ? 'true' : 'false';
    if (c?.numeric?.allowDecimal === false) return String(Math.trunc(o.valueNumeric));
    return Number.isInteger(o.valueNumeric) ? o.valueNumeric.toFixed(1) : String(o.valueNumeric);
  }
  return o.valueText ?? '';
}

function obsValue(o: ObsAgg): unknown {
  if (o.valueCoded !== null) return nested(conceptDef, conceptRow(o.cache, o.cache.concepts.byId.get(o.valueCoded)), REF, REF);
  if (o.valueDatetime) return restDate(o.valueDatetime);
  if (o.valueNumeric !== null) {
    const c = o.cache.concepts.byId.get(o.conceptId);
    return c && o.cache.conceptDatatypes.byId.get(c.datatypeId)?.hl7 === 'BIT' ? o.valueNumeric !== 0 : o.valueNumeric;
  }
  return o.valueText;
}

const locationOf = (e: { cache: EncounterAgg['cache']; locationId: number | null }) =>
  e.locationId === null ? null : withCache(e.cache, e.cache.locations.byId.get(e.locationId));

export const obsDef: ResourceDef<ObsAgg> = defineResource<ObsAgg>({
  name: 'obs',
  resourceVersion: '1.8',
  uuid: (o) => o.uuid,
  display: (o) => {
    const c = conceptRow(o.cache, o.cache.concepts.byId.get(o.conceptId));
    return `${c ? conceptDisplay(c) : ''}: ${obsValueString(o)}`;
  },
  props: {
    concept: (o) => nested(conceptDef, conceptRow(o.cache, o.cache.concepts.byId.get(o.conceptId)), REF, DEFAULT),
    person: (o) => nested(personDef, o.person, REF, DEFAULT),
    obsDatetime: (o) => restDate(o.datetime),
    accessionNumber: (o) => o.accessionNumber,
    obsGroup: (o): unknown => nested(obsDef, o.group ?? null, REF, REF),
    valueCodedName: () => null,
    // Hibernate leaves a non-group obs's member set empty and REST renders it as null.
    groupMembers: (o): unknown => nested(obsDef, o.members?.length ? o.members : null, REF, FULL),
    comment: (o) => o.comment,
    location: (o) => nested(locationDef, locationOf(o), REF, DEFAULT),
    order: () => null,
    encounter: (o): unknown => nested(encounterDef, o.encounter ?? null, REF, DEFAULT),
    voided: (o) => o.voided,
    value: obsValue,
    valueModifier: (o) => o.valueModifier,
    formFieldPath: (o) => o.formPath?.split('^')[1] ?? null,
    formFieldNamespace: (o) => o.formPath?.split('^')[0] ?? null,
    status: (o) => o.status,
    interpretation: (o) => o.interpretation,
    auditInfo,
  },
  defaultProps: ['concept', 'person', 'obsDatetime', 'accessionNumber', 'obsGroup', 'valueCodedName', 'groupMembers', 'comment', 'location', 'order', 'encounter', 'voided', 'value', 'valueModifier', 'formFieldPath', 'formFieldNamespace', 'status', 'interpretation'],
  fullProps: ['concept', 'person', 'obsDatetime', 'accessionNumber', 'obsGroup', 'valueCodedName', 'groupMembers', 'comment', 'location', 'order', 'encounter', 'voided', 'value', 'valueModifier', 'formFieldPath', 'formFieldNamespace', 'status', 'interpretation', 'auditInfo'],
});

export const encounterDef: ResourceDef<EncounterAgg> = defineResource<EncounterAgg>({
  name: 'encounter',
  resourceVersion: '1.9',
  uuid: (e) => e.uuid,
  display: (e) => `${e.cache.encounterTypes.byId.get(e.typeId)?.name ?? '?'} ${displayDate(e.datetime)}`,
  props: {
    encounterDatetime: (e) => restDate(e.datetime),
    patient: (e) => nested(patientDef, e.patient, REF, REF),
    location: (e) => nested(locationDef, locationOf(e), REF, DEFAULT),
    // Forms, orders and diagnoses are not modelled: they render empty rather than failing a custom rep.
    form: () => null,
    encounterType: (e) => nested(encounterTypeDef, e.cache.encounterTypes.byId.get(e.typeId), REF, DEFAULT),
    obs: (e) => nested(obsDef, e.obs ?? [], REF, DEFAULT),
    orders: () => [],
    voided: (e) => e.voided,
    visit: (e): unknown => nested(visitDef, e.visit ?? null, REF, DEFAULT),
    encounterProviders: (e) => nested(encounterProviderDef, e.providers ?? [], REF, DEFAULT),
    diagnoses: () => [],
    auditInfo,
  },
  defaultProps: ['encounterDatetime', 'patient', 'location', 'form', 'encounterType', 'obs', 'orders', 'voided', 'visit', 'encounterProviders', 'diagnoses'],
  fullProps: ['encounterDatetime', 'patient', 'location', 'form', 'encounterType', 'obs', 'orders', 'voided', 'visit', 'encounterProviders', 'diagnoses', 'auditInfo'],
});

export const visitDef: ResourceDef<VisitAgg> = defineResource<VisitAgg>({
  name: 'visit',
  resourceVersion: '1.9',
  uuid: (v) => v.uuid,
  display: (v) => {
    const type = v.cache.visitTypes.byId.get(v.typeId)?.name ?? '?';
    const loc = v.locationId === null ? undefined : v.cache.locations.byId.get(v.locationId);
    return `${type} ${loc ? `@ ${loc.name}` : '?'} - ${displayDateTime(v.start)}`;
  },
  props: {
    patient: (v) => nested(patientDef, v.patient, REF, REF),
    visitType: (v) => nested(visitTypeDef, v.cache.visitTypes.byId.get(v.typeId), REF, DEFAULT),
    indication: () => null,
    location: (v) => nested(locationDef, locationOf(v), REF, DEFAULT),
    startDatetime: (v) => restDate(v.start),
    stopDatetime: (v) => restDate(v.stop),
    encounters: (v) => nested(encounterDef, v.encounters ?? [], REF, DEFAULT),
    attributes: () => [],
    voided: (v) => v.voided,
    auditInfo,
  },
  defaultProps: ['patient', 'visitType', 'indication', 'location', 'startDatetime', 'stopDatetime', 'encounters', 'attributes', 'voided'],
  fullProps: ['patient', 'visitType', 'indication', 'location', 'startDatetime', 'stopDatetime', 'encounters', 'attributes', 'voided', 'auditInfo'],
});

export const clinicalDefs = { visit: visitDef, encounter: encounterDef, obs: obsDef };

/** One request's loader over this process's pool and cache. */
export const graphFor = (ctx: RequestContext) => new Graph(ctx.target.pool, ctx.target.cache, clinicalDefs);

/** patient_id for a patient uuid (undefined when no such patient). */
export async function patientIdByUuid(pool: Pool, uuid: string): Promise<number | undefined> {
  const [rows] = await pool.query<RowDataPacket[]>(
    'SELECT pt.patient_id FROM person p JOIN patient pt ON pt.patient_id = p.person_id WHERE p.uuid = ?',
    [uuid],
  );
  return rows[0]?.patient_id as number | undefined;
}
