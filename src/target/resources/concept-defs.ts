import type { Concept, ConceptName, Datatype, MetadataCache, Named } from '../cache.ts';
import { defineResource, nested, DEFAULT, REF } from '../rep.ts';
import { namedDef, retiredExtra } from './metadata-defs.ts';

/** Concepts render from the per-process cache, so each carries it for names, classes and set members. */
export type ConceptRow = Concept & { cache: MetadataCache };

export const conceptRow = (cache: MetadataCache, c: Concept | undefined): ConceptRow | null => (c ? { ...c, cache } : null);

export const conceptDisplay = (c: ConceptRow): string => c.cache.conceptName(c)?.name ?? '';

export const datatypeOf = (c: ConceptRow): Datatype | undefined => c.cache.conceptDatatypes.byId.get(c.datatypeId);

export const conceptDatatypeDef = defineResource<Datatype>({
  name: 'conceptdatatype',
  uuid: (m) => m.uuid,
  display: (m) => m.name,
  refExtra: retiredExtra,
  props: { name: (m) => m.name, description: (m) => m.description, hl7Abbreviation: (m) => m.hl7, retired: (m) => m.retired },
  defaultProps: ['name', 'description', 'hl7Abbreviation', 'retired'],
  fullProps: ['name', 'description', 'hl7Abbreviation', 'retired'],
});

export const conceptClassDef = namedDef<Named>('conceptclass');

export const conceptNameDef = defineResource<ConceptName>({
  // OpenMRS links names as concept/{uuid}/name/{uuid}; a flat alias keeps the link shape simple here.
  name: 'conceptname',
  resourceVersion: '1.9',
  uuid: (n) => n.uuid,
  display: (n) => n.name,
  props: {
    name: (n) => n.name,
    locale: (n) => n.locale,
    localePreferred: (n) => n.localePreferred,
    conceptNameType: (n) => n.type,
  },
  defaultProps: ['name', 'locale', 'localePreferred', 'conceptNameType'],
  fullProps: ['name', 'locale', 'localePreferred', 'conceptNameType'],
});

const NUMERIC_PROPS = [
  'hiNormal', 'hiAbsolute', 'hiCritical', 'lowNormal', 'lowAbsolute', 'lowCritical', 'units', 'allowDecimal', 'displayPrecision',
] as const;

type NumericKey = keyof NonNullable<Concept['numeric']>;
const numericProp = (k: NumericKey) => (c: ConceptRow) => c.numeric?.[k] ?? null;

export const conceptDef = defineResource<ConceptRow>({
  name: 'concept',
  resourceVersion: '2.0',
  uuid: (c) => c.uuid,
  display: conceptDisplay,
  refExtra: retiredExtra,
  props: {
    name: (c) => nested(conceptNameDef, c.cache.conceptName(c), DEFAULT, DEFAULT),
    datatype: (c) => nested(conceptDatatypeDef, datatypeOf(c), REF, REF),
    conceptClass: (c) => nested(conceptClassDef, c.cache.conceptClasses.byId.get(c.classId), REF, REF),
    set: (c) => c.isSet,
    version: () => null,
    retired: (c) => c.retired,
    names: (c) => nested(conceptNameDef, c.names, REF, DEFAULT),
    descriptions: () => [],
    mappings: () => [],
    answers: () => [],
    setMembers: (c): unknown =>
      nested(conceptDef, c.setMemberIds.map((id) => conceptRow(c.cache, c.cache.concepts.byId.get(id))).filter((x) => x !== null), REF, REF),
    attributes: () => [],
    auditInfo: () => null,
    ...Object.fromEntries(NUMERIC_PROPS.map((k) => [k, numericProp(k)])),
  },
  defaultProps: ['name', 'datatype', 'conceptClass', 'set', 'version', 'retired', 'names', 'descriptions', 'mappings', 'answers', 'setMembers', 'attributes'],
  fullProps: ['name', 'datatype', 'conceptClass', 'set', 'version', 'retired', 'names', 'descriptions', 'mappings', 'answers', 'setMembers', 'attributes', 'auditInfo'],
  extraProps: (c) => (c.numeric ? NUMERIC_PROPS : []),
});

/** Lower-cased words of a name, for OpenMRS-style "every query word starts a name word" matching. */
const words = (s: string) => s.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);

/**
 * Concept name search over the cache, standing in for ConceptService.getConcepts(phrase…): every query
 * word must start some word of one of the concept's names; exact and prefix matches of the preferred name first.
 */
export function searchConcepts(cache: MetadataCache, q: string, includeRetired = false): ConceptRow[] {
  const terms = words(q);
  if (terms.length === 0) return [];
  const scored: { c: ConceptRow; score: number; name: string }[] = [];
  for (const c of cache.concepts.all()) {
    if (c.retired && !includeRetired) continue;
    const hit = c.names.some((n) => {
      const w = words(n.name);
      return terms.every((t) => w.some((x) => x.startsWith(t)));
    });
    if (!hit) continue;
    const row = { ...c, cache };
    const name = conceptDisplay(row);
    const lower = name.toLowerCase();
    const ql = q.trim().toLowerCase();
    scored.push({ c: row, name, score: lower === ql ? 0 : lower.startsWith(ql) ? 1 : 2 });
  }
  scored.sort((a, b) => a.score - b.score || a.name.localeCompare(b.name));
  return scored.map((s) => s.c);
}
