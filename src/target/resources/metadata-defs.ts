import type { IdentifierType, Location, MetadataCache, Named, Provider } from '../cache.ts';
import { defineResource, nested, REF, type ResourceDef } from '../rep.ts';

/** Metadata carries the cache so nested references (parent location, tags) resolve without queries. */
export type WithCache<T> = T & { cache: MetadataCache };
export const withCache = <T extends object>(cache: MetadataCache, v: T | undefined | null): WithCache<T> | null =>
  v ? { ...v, cache } : null;

export const retiredExtra = (m: { retired: boolean }) => (m.retired ? { retired: true } : {});

/** Ref/default/full for simple OpenMRS metadata (name, description, retired). */
export function namedDef<T extends Named>(name: string) {
  return defineResource<T>({
    name,
    uuid: (m) => m.uuid,
    display: (m) => m.name,
    refExtra: retiredExtra,
    props: { name: (m) => m.name, description: (m) => m.description, retired: (m) => m.retired },
    defaultProps: ['name', 'description', 'retired'],
    fullProps: ['name', 'description', 'retired'],
  });
}

export const visitTypeDef = namedDef<Named>('visittype');
export const encounterTypeDef = defineResource<Named>({
  ...namedDef<Named>('encountertype'),
  props: {
    name: (m) => m.name, description: (m) => m.description, retired: (m) => m.retired,
    viewPrivilege: () => null, editPrivilege: () => null,
  },
  defaultProps: ['name', 'description', 'retired'],
  fullProps: ['name', 'description', 'viewPrivilege', 'editPrivilege', 'retired'],
});
export const encounterRoleDef = namedDef<Named>('encounterrole');
export const locationTagDef = namedDef<Named>('locationtag');
export const attributeTypeDef = namedDef<Named>('personattributetype');

export const identifierTypeDef = defineResource<IdentifierType>({
  name: 'patientidentifiertype',
  uuid: (m) => m.uuid,
  display: (m) => m.name,
  refExtra: retiredExtra,
  props: {
    name: (m) => m.name, description: (m) => m.description, format: (m) => m.format, formatDescription: () => null,
    required: (m) => m.required, validator: (m) => m.validator, locationBehavior: (m) => m.locationBehavior,
    uniquenessBehavior: (m) => m.uniquenessBehavior, checkDigit: (m) => m.checkDigit, retired: (m) => m.retired,
  },
  defaultProps: ['name', 'description', 'format', 'formatDescription', 'required', 'validator', 'locationBehavior', 'uniquenessBehavior', 'retired'],
  fullProps: ['name', 'description', 'format', 'formatDescription', 'required', 'checkDigit', 'validator', 'locationBehavior', 'uniquenessBehavior', 'retired'],
});

export type LocationRow = Location & { cache?: MetadataCache };
export const locationDef: ResourceDef<LocationRow> = defineResource<LocationRow>({
  name: 'location',
  uuid: (m) => m.uuid,
  display: (m) => m.name,
  refExtra: retiredExtra,
  props: {
    name: (m) => m.name,
    description: (m) => m.description,
    address1: (m) => m.address1,
    cityVillage: (m) => m.cityVillage,
    stateProvince: (m) => m.stateProvince,
    country: (m) => m.country,
    postalCode: (m) => m.postalCode,
    tags: (m) => nested(locationTagDef, m.cache ? m.tagIds.map((id) => m.cache!.locationTags.byId.get(id)!).filter(Boolean) : [], REF, REF),
    parentLocation: (m): unknown => nested(locationDef, m.parentId && m.cache ? withCache(m.cache, m.cache.locations.byId.get(m.parentId)) : null, REF, REF),
    childLocations: (m) => nested(locationDef, m.cache ? m.cache.locations.all().filter((l) => l.parentId === m.id && !l.retired) : [], REF, REF),
    attributes: () => [],
    retired: (m) => m.retired,
  },
  defaultProps: ['name', 'description', 'address1', 'cityVillage', 'stateProvince', 'country', 'postalCode', 'tags', 'parentLocation', 'childLocations', 'retired', 'attributes'],
  fullProps: ['name', 'description', 'address1', 'cityVillage', 'stateProvince', 'country', 'postalCode', 'tags', 'parentLocation', 'childLocations', 'retired', 'attributes'],
});

export const providerDef = defineResource<Provider>({
  name: 'provider',
  uuid: (m) => m.uuid,
  display: (m) => (m.identifier ? `${m.identifier} - ${m.name ?? 'Super User'}` : (m.name ?? '')),
  refExtra: retiredExtra,
  props: { identifier: (m) => m.identifier, name: (m) => m.name, retired: (m) => m.retired, attributes: () => [], person: () => null },
  defaultProps: ['identifier', 'attributes', 'retired'],
  fullProps: ['identifier', 'name', 'attributes', 'retired'],
});
