import { createHash } from 'node:crypto';
import type { Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { IdentifierType, MetadataCache } from '../cache.ts';
import type { RequestContext, Route } from '../context.ts';
import { notFound, RestError } from '../errors.ts';
import { defineResource, nested, parseRep, represent, DEFAULT, REF } from '../rep.ts';
import { baseToSequence, luhn30CheckChar, sequenceToBase } from '../../core/synthetic/luhn30.ts';
import { identifierTypeDef } from './metadata-defs.ts';

/** An idgen SequentialIdentifierGenerator (idgen_identifier_source joined to idgen_seq_id_gen). */
interface IdentifierSource {
  id: number;
  uuid: string;
  name: string;
  description: string | null;
  retired: boolean;
  type: IdentifierType | undefined;
  prefix: string;
  suffix: string;
  firstIdentifierBase: string;
  baseCharacterSet: string;
  minLength: number | null;
  maxLength: number | null;
}

async function loadSources(pool: Pool, cache: MetadataCache, uuid?: string): Promise<IdentifierSource[]> {
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT s.id, s.uuid, s.name, s.description, s.retired, s.identifier_type, g.prefix, g.suffix,
            g.first_identifier_base, g.base_character_set, g.min_length, g.max_length
       FROM idgen_identifier_source s JOIN idgen_seq_id_gen g ON g.id = s.id
      ${uuid ? 'WHERE s.uuid = ?' : ''} ORDER BY s.id`,
    uuid ? [uuid] : [],
  );
  return rows.map((r) => ({
    id: r.id, uuid: r.uuid, name: r.name, description: r.description, retired: !!r.retired,
    type: cache.identifierTypes.byId.get(r.identifier_type), prefix: r.prefix ?? '', suffix: r.suffix ?? '',
    firstIdentifierBase: r.first_identifier_base, baseCharacterSet: r.base_character_set,
    minLength: r.min_length, maxLength: r.max_length,
  }));
}

/**
 * Takes the next sequence value in one statement: LAST_INSERT_ID(expr) makes the server report the
 * new value on this very statement, so replicas sharing the database never hand out the same one
 * (InnoDB serialises the row update) and no transaction or second round trip is needed.
 */
async function nextSequenceValue(pool: Pool, src: IdentifierSource): Promise<number> {
  const first = baseToSequence(src.firstIdentifierBase, src.baseCharacterSet);
  const [res] = await pool.query<ResultSetHeader>(
    `UPDATE idgen_seq_id_gen
        SET next_sequence_value = LAST_INSERT_ID(IF(next_sequence_value < 0, ?, next_sequence_value) + 1)
      WHERE id = ?`,
    [first, src.id],
  );
  if (res.affectedRows !== 1 || !res.insertId) throw new Error(`identifier source ${src.uuid} has no sequence row`);
  return Number(res.insertId) - 1;
}

/** As idgen formats it: prefix + sequence padded to the first base's length + suffix, then the type's check character. */
function formatIdentifier(src: IdentifierSource, value: number): string {
  const base = src.prefix + sequenceToBase(value, src.baseCharacterSet, src.firstIdentifierBase.length + 1) + src.suffix;
  const id = src.type?.validator?.includes('LuhnMod30') ? base + luhn30CheckChar(base) : base;
  if (src.maxLength && id.length > src.maxLength) {
    throw new RestError(500, `Invalid configuration: identifier ${id} exceeds the maximum length of ${src.maxLength}`, 'org.openmrs.api.APIException');
  }
  return id;
}

const identifierSourceDef = defineResource<IdentifierSource>({
  name: 'idgen/identifiersource',
  uuid: (s) => s.uuid,
  display: (s) => s.name,
  props: {
    name: (s) => s.name,
    description: (s) => s.description,
    identifierType: (s) => nested(identifierTypeDef, s.type, REF, REF),
    retired: (s) => s.retired,
    prefix: (s) => s.prefix,
    suffix: (s) => s.suffix,
    firstIdentifierBase: (s) => s.firstIdentifierBase,
    baseCharacterSet: (s) => s.baseCharacterSet,
    minLength: (s) => s.minLength,
    maxLength: (s) => s.maxLength,
  },
  defaultProps: ['name', 'description', 'identifierType'],
  fullProps: ['name', 'description', 'identifierType', 'prefix', 'suffix', 'firstIdentifierBase', 'baseCharacterSet', 'minLength', 'maxLength', 'retired'],
});

/** idgen's AutoGenerationOption; the schema keeps no table for it, so each source implies one. */
interface AutoGenerationOption {
  uuid: string;
  source: IdentifierSource;
}

/** A stable uuid per source, so repeated reads (and other replicas) agree on the option's identity. */
function optionUuid(sourceUuid: string): string {
  const h = createHash('sha1').update(`autogenerationoption:${sourceUuid}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const autoGenerationOptionDef = defineResource<AutoGenerationOption>({
  name: 'idgen/autogenerationoption',
  uuid: (o) => o.uuid,
  display: (o) => o.source.type?.name ?? o.source.name,
  props: {
    identifierType: (o) => nested(identifierTypeDef, o.source.type, REF, REF),
    location: () => null,
    source: (o) => nested(identifierSourceDef, o.source, REF, REF),
    manualEntryEnabled: () => false,
    automaticGenerationEnabled: () => true,
  },
  defaultProps: ['identifierType', 'location', 'source', 'manualEntryEnabled', 'automaticGenerationEnabled'],
  fullProps: ['identifierType', 'location', 'source', 'manualEntryEnabled', 'automaticGenerationEnabled'],
});

/** Sources, optionally only those of `?identifierType=<uuid>`. */
async function sourcesFor(ctx: RequestContext): Promise<IdentifierSource[]> {
  const sources = await loadSources(ctx.target.pool, ctx.target.cache);
  const type = ctx.query.get('identifierType');
  return type ? sources.filter((s) => s.type?.uuid === type) : sources;
}

export const routes: Route[] = [
  {
    method: 'POST',
    path: '/idgen/identifiersource/:uuid/identifier',
    cls: 'idgen',
    async handler(ctx) {
      ctx.requirePrivilege('Generate New Identifier');
      await ctx.body(); // a malformed body is still a 400, as with any POST
      const [src] = await loadSources(ctx.target.pool, ctx.target.cache, ctx.params.uuid);
      if (!src) throw notFound();
      const value = await nextSequenceValue(ctx.target.pool, src);
      return { body: { identifier: formatIdentifier(src, value) } };
    },
  },
  {
    method: 'GET',
    path: '/idgen/identifiersource',
    cls: 'idgen',
    async handler(ctx) {
      const rep = parseRep(ctx.query.get('v'), REF);
      return { body: { results: (await sourcesFor(ctx)).map((s) => represent(identifierSourceDef, s, rep, ctx.baseUrl)) } };
    },
  },
  {
    method: 'GET',
    path: '/idgen/identifiersource/:uuid',
    cls: 'idgen',
    async handler(ctx) {
      const [src] = await loadSources(ctx.target.pool, ctx.target.cache, ctx.params.uuid);
      if (!src) throw notFound();
      return { body: represent(identifierSourceDef, src, parseRep(ctx.query.get('v'), DEFAULT), ctx.baseUrl) };
    },
  },
  {
    method: 'GET',
    path: '/idgen/autogenerationoption',
    cls: 'idgen',
    async handler(ctx) {
      const rep = parseRep(ctx.query.get('v'), REF);
      const options = (await sourcesFor(ctx)).map((source) => ({ uuid: optionUuid(source.uuid), source }));
      return { body: { results: options.map((o) => represent(autoGenerationOptionDef, o, rep, ctx.baseUrl)) } };
    },
  },
];
