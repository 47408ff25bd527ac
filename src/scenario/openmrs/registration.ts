import { REGIONS, type Country, type Region } from '../../core/synthetic/names.ts';
import type { Rng } from '../../core/synthetic/rng.ts';
import { step } from '../dsl.ts';
import { StepError, type Step } from '../types.ts';
import { OPENMRS_ID_SOURCE, OPENMRS_ID_TYPE, REST } from './constants.ts';
import { createdUuid, okJson, rngFor, sessionLocation, str } from './util.ts';

const TAG_REGISTER = 0x72656769;

function weighted<T extends { weight: number }>(rng: Rng, items: readonly T[]): T {
  const i = rng.weighted(items.map((x) => x.weight), items.reduce((s, x) => s + x.weight, 0));
  const item = items[i];
  if (!item) throw new Error('weighted pick from an empty list');
  return item;
}

/** A new patient as the registration form fills it, with names and places from the seeder's regional lists. */
export function newPatient(rng: Rng, identifier: string, location: string): Record<string, unknown> {
  const region: Region = weighted(rng, REGIONS);
  const country: Country = weighted(rng, region.countries);
  const names = country.names ?? region;
  const gender = rng.chance(0.5) ? 'F' : 'M';
  const place = rng.pick(country.places);
  // Mostly adults, as at a registration desk; a quarter children.
  const age = rng.chance(0.25) ? rng.int(0, 17) : rng.int(18, 85);
  const born = new Date(Date.now() - (age * 365.25 + rng.int(0, 364)) * 86_400_000);
  return {
    identifiers: [{ identifier, identifierType: OPENMRS_ID_TYPE, location, preferred: true }],
    person: {
      gender,
      age,
      birthdate: born.toISOString().slice(0, 10),
      birthdateEstimated: false,
      dead: false,
      names: [{ givenName: rng.pick(gender === 'F' ? names.female : names.male), familyName: rng.pick(names.family) }],
      addresses: [{
        address1: `Plot ${rng.int(1, 400)}`,
        cityVillage: place.city,
        country: country.name,
        postalCode: country.postal ? country.postal.replace(/#/g, () => String(rng.int(0, 9))) : null,
      }],
    },
  };
}

/**
 * Registration as the clerk persona does it: an OpenMRS ID from idgen, then POST /patient with the
 * suite's body shape. Saves `patientUuid` (and `patientAge`) for the visit and encounter steps.
 */
export function registerPatient(opts: { name?: string } = {}): Step {
  const name = opts.name ?? 'registerPatient';
  return step(name, async (vu) => {
    const idRes = await vu.http.post(`${REST}/idgen/identifiersource/${OPENMRS_ID_SOURCE}/identifier`, {}, { name: `${name}:identifier`, expect: [200, 201] });
    const identifier = str(okJson(idRes), 'identifier');
    if (!identifier) throw new StepError(`${name}: idgen gave no identifier (status ${idRes.status})`, `http-${idRes.status}`);
    const body = newPatient(rngFor(vu, TAG_REGISTER), identifier, sessionLocation(vu));
    const res = await vu.http.post(`${REST}/patient`, body, { expect: [201] });
    const uuid = createdUuid(res, name, 'the patient');
    vu.check('registerPatient: display carries the identifier', (str(okJson(res), 'display') ?? '').startsWith(identifier));
    vu.vars.set('patientUuid', uuid);
    vu.vars.set('patientAge', (body.person as { age: number }).age);
    vu.vars.delete('activeVisitUuid');
  });
}
