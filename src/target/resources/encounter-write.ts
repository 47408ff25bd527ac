import { randomUUID } from 'node:crypto';
import type { PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { RequestContext } from '../context.ts';
import { parseRestDate, sqlDate } from '../dates.ts';
import { badRequest, Validation } from '../errors.ts';
import { parseRep, represent, DEFAULT } from '../rep.ts';
import { encounterDef, graphFor, patientIdByUuid } from './clinical-defs.ts';
import { convertObs, obsLevels, type ObsInput } from './obs-input.ts';
import { bodyObject, refUuid, unknownRef } from './params.ts';

/** The Unknown encounter role, which OpenMRS assigns when a provider comes without one. */
const UNKNOWN_ROLE = 'a0b03050-c99b-11e0-9572-0800200c9a66';

interface ProviderInput {
  providerId: number;
  roleId: number;
}

function convertProviders(ctx: RequestContext, raw: unknown): ProviderInput[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw badRequest('encounterProviders: expected a list');
  const { cache } = ctx.target;
  return raw.map((item) => {
    const o = (item && typeof item === 'object' ? item : {}) as Record<string, unknown>;
    const pUuid = refUuid(o.provider);
    const rUuid = refUuid(o.encounterRole) ?? UNKNOWN_ROLE;
    const provider = pUuid ? cache.providers.byUuid.get(pUuid) : undefined;
    const role = cache.encounterRoles.byUuid.get(rUuid);
    if (!provider) throw unknownRef('provider', pUuid ?? '');
    if (!role) throw unknownRef('encounterRole', rUuid);
    return { providerId: provider.id, roleId: role.id };
  });
}

interface VisitRow {
  id: number;
  patientId: number;
  start: Date;
  stop: Date | null;
}

async function visitRow(ctx: RequestContext, uuid: string): Promise<VisitRow> {
  const [[r]] = await ctx.target.pool.query<RowDataPacket[]>(
    'SELECT visit_id, patient_id, date_started, date_stopped FROM visit WHERE uuid = ?',
    [uuid],
  );
  if (!r) throw unknownRef('visit', uuid);
  return { id: r.visit_id, patientId: r.patient_id, start: r.date_started, stop: r.date_stopped };
}

/**
 * Inserts obs level by level: each level is one multi-row INSERT, and group members learn their
 * parent's obs_id from its uuid (auto-increment ids of a bulk insert are not guaranteed consecutive).
 */
async function insertObs(
  conn: PoolConnection,
  obs: ObsInput[],
  enc: { id: number; patientId: number; locationId: number | null; datetime: Date; creator: number },
): Promise<void> {
  const created = sqlDate(new Date());
  for (const level of obsLevels(obs)) {
    const parents = [...new Set(level.map((l) => l.parent?.uuid).filter((u): u is string => !!u))];
    const parentIds = new Map<string, number>();
    if (parents.length) {
      const [rows] = await conn.query<RowDataPacket[]>('SELECT obs_id, uuid FROM obs WHERE uuid IN (?)', [parents]);
      for (const r of rows) parentIds.set(r.uuid, r.obs_id);
    }
    const values = level.map(({ obs: o, parent }) => [
      enc.patientId, o.conceptId, enc.id, sqlDate(o.datetime ?? enc.datetime), enc.locationId,
      parent ? (parentIds.get(parent.uuid) ?? null) : null, o.valueCoded, o.valueNumeric, o.valueText,
      o.valueDatetime ? sqlDate(o.valueDatetime) : null, o.comment, o.status, o.formPath, enc.creator, created, o.uuid,
    ]);
    await conn.query(
      `INSERT INTO obs (person_id, concept_id, encounter_id, obs_datetime, location_id, obs_group_id, value_coded,
         value_numeric, value_text, value_datetime, comments, status, form_namespace_and_path, creator, date_created, uuid) VALUES ?`,
      [values],
    );
  }
}

/** POST /encounter: converts, validates like EncounterValidator/ObsValidator, then writes in one transaction. */
export async function createEncounter(ctx: RequestContext) {
  ctx.requirePrivilege('Add Encounters');
  const body = await bodyObject(ctx);
  const { cache, pool } = ctx.target;
  const patientUuid = refUuid(body.patient);
  const patientId = patientUuid ? await patientIdByUuid(pool, patientUuid) : undefined;
  if (patientUuid && patientId === undefined) throw unknownRef('patient', patientUuid);
  const typeUuid = refUuid(body.encounterType);
  const type = typeUuid ? cache.encounterTypes.byUuid.get(typeUuid) : undefined;
  if (typeUuid && !type) throw unknownRef('encounterType', typeUuid);
  const locUuid = refUuid(body.location);
  const location = locUuid ? cache.locations.byUuid.get(locUuid) : undefined;
  if (locUuid && !location) throw unknownRef('location', locUuid);
  const visitUuid = refUuid(body.visit);
  // No visit is assigned when none is sent: core's default visit assignment handler does nothing.
  const visit = visitUuid ? await visitRow(ctx, visitUuid) : undefined;
  // Forms are not modelled (no form table); a form reference is accepted and not stored.
  const providers = convertProviders(ctx, body.encounterProviders);
  const datetime = body.encounterDatetime === undefined || body.encounterDatetime === null
    ? new Date()
    : parseRestDate(body.encounterDatetime, 'encounterDatetime');

  const v = new Validation().required('encounterType', type).required('patient', patientId);
  const obs = convertObs(cache, body.obs, v);
  if (datetime.getTime() > Date.now()) v.field('encounterDatetime', 'Encounter.datetimeShouldBeBeforeCurrent', 'The encounter datetime should be before the current date');
  if (visit && patientId !== undefined && visit.patientId !== patientId) {
    v.field('visit', 'Encounter.visit.patients.dontMatch', 'The patient for the encounter and visit should be the same');
  }
  // Visit dates are stored to the second, so the encounter is compared at that precision too.
  const secs = Math.floor(datetime.getTime() / 1000) * 1000;
  if (visit && (secs < visit.start.getTime() || (visit.stop && secs > visit.stop.getTime()))) {
    v.field('encounterDatetime', 'Encounter.datetimeShouldBeInVisitDatesRange', 'The encounter datetime should be between the visit start and stop dates');
  }
  v.throwIfAny();

  const creator = ctx.currentUser().id;
  const uuid = randomUUID();
  const conn = await pool.getConnection();
  try {
    await conn.beginTransaction();
    const [res] = await conn.query<ResultSetHeader>(
      `INSERT INTO encounter (encounter_type, patient_id, location_id, form_id, encounter_datetime, creator, date_created, uuid, visit_id)
       VALUES (?, ?, ?, NULL, ?, ?, NOW(3), ?, ?)`,
      [type!.id, patientId, location?.id ?? null, sqlDate(datetime), creator, uuid, visit?.id ?? null],
    );
    const enc = { id: res.insertId, patientId: patientId!, locationId: location?.id ?? null, datetime, creator };
    if (providers.length) {
      await conn.query(
        'INSERT INTO encounter_provider (encounter_id, provider_id, encounter_role_id, creator, date_created, uuid) VALUES ?',
        [providers.map((p) => [enc.id, p.providerId, p.roleId, creator, new Date(), randomUUID()])],
      );
    }
    if (obs.length) await insertObs(conn, obs, enc);
    await conn.commit();
  } catch (e) {
    await conn.rollback().catch(() => {});
    throw e;
  } finally {
    conn.release();
  }

  const rep = parseRep(ctx.query.get('v'), DEFAULT);
  const g = graphFor(ctx);
  const [created] = await g.encounterRows('uuid = ?', [uuid]);
  await g.fillEncounters([created!], rep);
  return { status: 201, body: represent(encounterDef, created!, rep, ctx.baseUrl) };
}
