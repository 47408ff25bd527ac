import { randomUUID } from 'node:crypto';
import type { Concept, MetadataCache } from '../cache.ts';
import { parseRestDate } from '../dates.ts';
import { RestError, type Validation } from '../errors.ts';
import { conceptDisplay, conceptRow } from './concept-defs.ts';
import { refUuid, unknownRef } from './params.ts';

/** One obs of a submission, converted and ready to insert (members under their group). */
export interface ObsInput {
  uuid: string;
  conceptId: number;
  datetime: Date | null;
  valueNumeric: number | null;
  valueCoded: number | null;
  valueText: string | null;
  valueDatetime: Date | null;
  comment: string | null;
  formPath: string | null;
  status: string;
  members: ObsInput[];
}

const NUMBER = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;
const STATUSES = ['PRELIMINARY', 'FINAL', 'AMENDED'];
/** obs.value_text is TEXT in the schema; ObsValidator caps it at 65535 characters. */
const VALUE_TEXT_MAX = 65535;

const fmt = (n: number) => (Number.isInteger(n) ? n.toFixed(1) : String(n));

function asObject(v: unknown, where: string): Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) {
    throw new RestError(400, `${where}: expected an object`, 'org.openmrs.module.webservices.rest.web.response.ConversionException');
  }
  return v as Record<string, unknown>;
}

/**
 * Converts the `obs` array of an encounter submission. Conversion problems (unknown concept or coded
 * answer) throw at once, as webservices.rest's converters do; value problems are collected into `v`
 * with ObsValidator's field names and codes (members report `groupMembers`/Obs.error.inGroupMember).
 */
export function convertObs(cache: MetadataCache, raw: unknown, v: Validation, path = 'obs', root = true): ObsInput[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new RestError(400, `${path}: expected a list`, 'org.openmrs.module.webservices.rest.web.response.ConversionException');
  return raw.map((item, i) => {
    const o = asObject(item, `${path}[${i}]`);
    const conceptUuid = refUuid(o.concept);
    const concept = conceptUuid ? cache.concepts.byUuid.get(conceptUuid) : undefined;
    if (conceptUuid && !concept) throw unknownRef('concept', conceptUuid);
    const members = convertObs(cache, o.groupMembers, v, `${path}[${i}].groupMembers`, false);
    const status = typeof o.status === 'string' ? o.status.toUpperCase() : 'FINAL';
    const input: ObsInput = {
      uuid: randomUUID(), conceptId: concept?.id ?? 0,
      datetime: o.obsDatetime === undefined || o.obsDatetime === null ? null : parseRestDate(o.obsDatetime, 'obsDatetime'),
      valueNumeric: null, valueCoded: null, valueText: null, valueDatetime: null,
      comment: typeof o.comment === 'string' ? o.comment : null,
      formPath: typeof o.formFieldNamespace === 'string' && typeof o.formFieldPath === 'string' ? `${o.formFieldNamespace}^${o.formFieldPath}` : null,
      status: STATUSES.includes(status) ? status : 'FINAL',
      members,
    };
    if (!concept) {
      v.field('concept', 'error.null', `${path}[${i}]: Cannot be empty or null`);
      return input;
    }
    if (members.length) return input;
    setValue(cache, concept, o.value, input, v, root, `${path}[${i}]`);
    return input;
  });
}

function setValue(cache: MetadataCache, concept: Concept, value: unknown, out: ObsInput, v: Validation, root: boolean, where: string): void {
  const name = conceptDisplay(conceptRow(cache, concept)!);
  const fail = (field: string, code: string, message: string) =>
    root ? v.field(field, code, `${name}: ${message}`) : v.field('groupMembers', 'Obs.error.inGroupMember', `${where} (${name}): ${message}`);
  if (value === undefined || value === null || value === '') {
    v.globalError('error.noValue', `${name}: an obs must have a value (${where})`);
    return;
  }
  const hl7 = cache.conceptDatatypes.byId.get(concept.datatypeId)?.hl7;
  switch (hl7) {
    case 'NM': {
      // ObsResource converts with Double.valueOf(value.toString()), so "120" is accepted.
      const n = typeof value === 'number' ? value : typeof value === 'string' && NUMBER.test(value) ? Number(value) : NaN;
      if (!Number.isFinite(n)) return void fail('valueNumeric', 'error.numeric', `'${String(value)}' is not a number`);
      out.valueNumeric = n;
      const num = concept.numeric;
      if (num?.allowDecimal === false && Math.ceil(n) !== n) fail('valueNumeric', 'error.precision', `${fmt(n)} must be a whole number`);
      if (num?.hiAbsolute != null && n > num.hiAbsolute) {
        fail('valueNumeric', 'error.outOfRange.high', `${fmt(n)} is not within the allowed range: the maximum (hiAbsolute) is ${fmt(num.hiAbsolute)}`);
      }
      if (num?.lowAbsolute != null && n < num.lowAbsolute) {
        fail('valueNumeric', 'error.outOfRange.low', `${fmt(n)} is not within the allowed range: the minimum (lowAbsolute) is ${fmt(num.lowAbsolute)}`);
      }
      return;
    }
    case 'CWE': {
      const uuid = refUuid(value);
      const answer = uuid ? cache.concepts.byUuid.get(uuid) : undefined;
      if (!answer) throw unknownRef('value', uuid ?? String(value));
      out.valueCoded = answer.id;
      return;
    }
    case 'BIT': {
      const b = value === true || value === 'true' || value === 1 || value === '1' ? 1 : value === false || value === 'false' || value === 0 || value === '0' ? 0 : null;
      if (b === null) return void fail('valueBoolean', 'error.null', `'${String(value)}' is not a boolean`);
      out.valueNumeric = b;
      return;
    }
    case 'DT':
    case 'TS':
    case 'TM':
      out.valueDatetime = parseRestDate(value, 'value');
      return;
    case 'ST':
      out.valueText = typeof value === 'string' ? value : JSON.stringify(value);
      if (out.valueText.length > VALUE_TEXT_MAX) fail('valueText', 'error.exceededMaxLengthOfField', 'the text is too long');
      return;
    default:
      // N/A concepts only make sense as groups; OpenMRS stores a bare value as text.
      out.valueText = typeof value === 'string' ? value : JSON.stringify(value);
  }
}

/** Obs inputs level by level (top level first), each with its parent's index in the previous level. */
export function obsLevels(top: ObsInput[]): { obs: ObsInput; parent: ObsInput | null }[][] {
  const levels: { obs: ObsInput; parent: ObsInput | null }[][] = [];
  let current = top.map((obs) => ({ obs, parent: null as ObsInput | null }));
  while (current.length) {
    levels.push(current);
    current = current.flatMap(({ obs }) => obs.members.map((m) => ({ obs: m, parent: obs })));
  }
  return levels;
}
