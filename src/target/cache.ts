import type { Pool, RowDataPacket } from 'mysql2/promise';

/**
 * The per-process metadata cache. Like OpenMRS's local Hibernate second-level and Spring caches,
 * it is filled at start and afterwards changed only by this process's own writes: an edit made
 * through another replica stays invisible here (the clustering hazard the probes look for).
 */
export interface Named {
  id: number;
  uuid: string;
  name: string;
  description: string | null;
  retired: boolean;
}
export interface Location extends Named {
  parentId: number | null;
  tagIds: number[];
  address1: string | null;
  cityVillage: string | null;
  stateProvince: string | null;
  country: string | null;
  postalCode: string | null;
}
export interface IdentifierType extends Named {
  format: string | null;
  required: boolean;
  checkDigit: boolean;
  validator: string | null;
  uniquenessBehavior: string | null;
  locationBehavior: string | null;
}
export interface ConceptName {
  id: number;
  uuid: string;
  name: string;
  locale: string;
  localePreferred: boolean;
  type: string | null;
}
export interface Concept {
  id: number;
  uuid: string;
  retired: boolean;
  isSet: boolean;
  datatypeId: number;
  classId: number;
  names: ConceptName[];
  numeric: {
    hiAbsolute: number | null; hiCritical: number | null; hiNormal: number | null;
    lowAbsolute: number | null; lowCritical: number | null; lowNormal: number | null;
    units: string | null; allowDecimal: boolean | null; displayPrecision: number | null;
  } | null;
  setMemberIds: number[];
}
export interface Provider {
  id: number;
  uuid: string;
  personId: number | null;
  name: string | null;
  identifier: string | null;
  retired: boolean;
}
export interface Datatype extends Named {
  hl7: string | null;
}

class Table<T extends { id: number; uuid: string }> {
  readonly byId = new Map<number, T>();
  readonly byUuid = new Map<string, T>();
  put(row: T): void {
    this.byId.set(row.id, row);
    this.byUuid.set(row.uuid, row);
  }
  all(): T[] {
    return [...this.byId.values()];
  }
  clear(): void {
    this.byId.clear();
    this.byUuid.clear();
  }
}

/** A counter every metadata write bumps, so replicas with a shared cache can tell theirs is stale. */
const VERSION_PROPERTY = 'loadlab.metadata.version';

export class MetadataCache {
  readonly locations = new Table<Location>();
  readonly locationTags = new Table<Named>();
  readonly visitTypes = new Table<Named>();
  readonly encounterTypes = new Table<Named>();
  readonly encounterRoles = new Table<Named>();
  readonly identifierTypes = new Table<IdentifierType>();
  readonly attributeTypes = new Table<Named>();
  readonly providers = new Table<Provider>();
  readonly conceptDatatypes = new Table<Datatype>();
  readonly conceptClasses = new Table<Named>();
  readonly concepts = new Table<Concept>();

  /** Preferred name in `locale` (falling back to English, then any fully specified name). */
  conceptName(c: Concept, locale = 'en'): ConceptName | undefined {
    const lang = locale.split('_')[0];
    return (
      c.names.find((n) => n.locale === locale && n.localePreferred) ??
      c.names.find((n) => n.locale === lang && n.localePreferred) ??
      c.names.find((n) => n.type === 'FULLY_SPECIFIED') ??
      c.names[0]
    );
  }

  /** The metadata version this cache holds (see {@link bumpMetadataVersion}). */
  version = 0;

  static async load(pool: Pool): Promise<MetadataCache> {
    const m = new MetadataCache();
    await m.fill(pool);
    return m;
  }

  /**
   * For a cache shared through the database (`--cache shared`, like OpenMRS's clustered
   * Infinispan caches): reloads everything when another replica changed metadata since.
   */
  async syncWith(pool: Pool): Promise<void> {
    const v = await readVersion(pool);
    if (v === this.version) return;
    for (const t of Object.values(this)) if (t instanceof Table) t.clear();
    await this.fill(pool);
  }

  private async fill(pool: Pool): Promise<void> {
    return MetadataCache.fillInto(this, pool);
  }

  private static async fillInto(m: MetadataCache, pool: Pool): Promise<void> {
    m.version = await readVersion(pool);
    const q = async (sql: string) => (await pool.query<RowDataPacket[]>(sql))[0];
    const named = (r: RowDataPacket, id: string): Named => ({
      id: r[id], uuid: r.uuid, name: r.name, description: r.description ?? null, retired: !!r.retired,
    });
    const tagMap = new Map<number, number[]>();
    for (const r of await q('SELECT location_id, location_tag_id FROM location_tag_map')) {
      (tagMap.get(r.location_id) ?? tagMap.set(r.location_id, []).get(r.location_id)!).push(r.location_tag_id);
    }
    for (const r of await q('SELECT * FROM location')) {
      m.locations.put({
        ...named(r, 'location_id'), parentId: r.parent_location ?? null, tagIds: tagMap.get(r.location_id) ?? [],
        address1: r.address1, cityVillage: r.city_village, stateProvince: r.state_province, country: r.country,
        postalCode: r.postal_code,
      });
    }
    for (const r of await q('SELECT * FROM location_tag')) m.locationTags.put(named(r, 'location_tag_id'));
    for (const r of await q('SELECT * FROM visit_type')) m.visitTypes.put(named(r, 'visit_type_id'));
    for (const r of await q('SELECT * FROM encounter_type')) m.encounterTypes.put(named(r, 'encounter_type_id'));
    for (const r of await q('SELECT * FROM encounter_role')) m.encounterRoles.put(named(r, 'encounter_role_id'));
    for (const r of await q('SELECT * FROM person_attribute_type')) m.attributeTypes.put(named(r, 'person_attribute_type_id'));
    for (const r of await q('SELECT * FROM patient_identifier_type')) {
      m.identifierTypes.put({
        ...named(r, 'patient_identifier_type_id'), format: r.format, required: !!r.required, checkDigit: !!r.check_digit,
        validator: r.validator, uniquenessBehavior: r.uniqueness_behavior, locationBehavior: r.location_behavior,
      });
    }
    for (const r of await q('SELECT * FROM provider')) {
      m.providers.put({
        id: r.provider_id, uuid: r.uuid, personId: r.person_id, name: r.name, identifier: r.identifier, retired: !!r.retired,
      });
    }
    for (const r of await q('SELECT * FROM concept_datatype')) m.conceptDatatypes.put({ ...named(r, 'concept_datatype_id'), hl7: r.hl7_abbreviation });
    for (const r of await q('SELECT * FROM concept_class')) m.conceptClasses.put(named(r, 'concept_class_id'));
    const names = new Map<number, ConceptName[]>();
    for (const r of await q('SELECT * FROM concept_name WHERE voided = 0 ORDER BY concept_name_id')) {
      const list = names.get(r.concept_id) ?? names.set(r.concept_id, []).get(r.concept_id)!;
      list.push({ id: r.concept_name_id, uuid: r.uuid, name: r.name, locale: r.locale, localePreferred: !!r.locale_preferred, type: r.concept_name_type });
    }
    const numeric = new Map<number, RowDataPacket>();
    for (const r of await q('SELECT * FROM concept_numeric')) numeric.set(r.concept_id, r);
    const members = new Map<number, number[]>();
    for (const r of await q('SELECT concept_id, concept_set FROM concept_set ORDER BY sort_weight')) {
      (members.get(r.concept_set) ?? members.set(r.concept_set, []).get(r.concept_set)!).push(r.concept_id);
    }
    for (const r of await q('SELECT * FROM concept')) {
      const n = numeric.get(r.concept_id);
      m.concepts.put({
        id: r.concept_id, uuid: r.uuid, retired: !!r.retired, isSet: !!r.is_set, datatypeId: r.datatype_id, classId: r.class_id,
        names: names.get(r.concept_id) ?? [],
        numeric: n
          ? {
              hiAbsolute: n.hi_absolute, hiCritical: n.hi_critical, hiNormal: n.hi_normal, lowAbsolute: n.low_absolute,
              lowCritical: n.low_critical, lowNormal: n.low_normal, units: n.units,
              allowDecimal: n.allow_decimal === null ? null : !!n.allow_decimal, displayPrecision: n.display_precision ?? null,
            }
          : null,
        setMemberIds: members.get(r.concept_id) ?? [],
      });
    }
  }
}

async function readVersion(pool: Pool): Promise<number> {
  const [rows] = await pool.query<RowDataPacket[]>('SELECT property_value FROM global_property WHERE property = ?', [VERSION_PROPERTY]);
  return Number(rows[0]?.property_value ?? 0);
}

/**
 * Called after each metadata write. The writer's own cache is not marked current: with a shared
 * cache it reloads on its next metadata read too, so a concurrent change elsewhere is not missed.
 */
export async function bumpMetadataVersion(pool: Pool): Promise<void> {
  await pool.query(
    `INSERT INTO global_property (property, property_value, description, uuid) VALUES (?, '1', 'Bumped by every metadata change', UUID())
     ON DUPLICATE KEY UPDATE property_value = property_value + 1`,
    [VERSION_PROPERTY],
  );
}
