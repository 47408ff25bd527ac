import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, type Session } from './client.ts';
import { errorText, list, str, uuids } from './json.ts';
import { result, type HazardResult, type ProbeEnv } from './types.ts';

const OPENMRS_ID_TYPE = '05a29f94-c0ed-11e2-94be-8c13b969e334';
const KNOWN_SOURCE = '8549f706-7e85-4c1d-9424-217d50a2988b';
/** A search index that refreshes on its own (Elasticsearch's default is 1 s) gets this long to catch up. */
const SEARCH_TRIES = 4;
const SEARCH_GAP_MS = 1_000;

class Setup extends Error {}

/** Letters only, so the name is a single search token no seeded patient starts with. */
const randomLetters = (n: number) => Array.from({ length: n }, () => String.fromCharCode(97 + randomInt(26))).join('');

/**
 * Registers a patient through session A, then searches for it through session B on the other replica.
 * OpenMRS searches a Lucene index local to each node, so B misses the patient until it re-indexes.
 */
export async function probeReadYourWrites(env: ProbeEnv): Promise<HazardResult> {
  const { a, b, step } = env;
  const notes: string[] = [];
  let patient: string | undefined;
  let verdict: HazardResult['verdict'] = 'n/a';
  try {
    const family = `Zq${randomLetters(8)}`;
    patient = await register(a, family, notes);
    step(`read-your-writes: registered Probe ${family} (${patient}) through A on ${a.replica}`);
    const viaA = await search(a, family, patient, 1);
    notes.push(viaA.found ? `A (${a.replica}) finds it` : `A (${a.replica}) does not find its own write: ${viaA.last}`);
    const viaB = await search(b, family, patient, SEARCH_TRIES);
    const secs = (SEARCH_TRIES - 1) * (SEARCH_GAP_MS / 1000);
    if (viaB.found) {
      verdict = 'pass';
      notes.push(`B (${b.replica}) finds it${viaB.tries > 1 ? ` after ${viaB.tries} tries` : ''}`);
    } else {
      verdict = 'hazard';
      notes.push(`B (${b.replica}) does not find it, still after ${secs} s (${viaB.last}): a search index local to each replica`);
    }
    if (b.lbHistory.length > 1) notes.push(`note: B's LB cookie changed during the probe (${b.lbHistory.join(' → ')})`);
    step(`read-your-writes: A found=${viaA.found}, B found=${viaB.found}`);
  } catch (e) {
    notes.push(e instanceof Setup ? e.message : `probe error: ${errorText(e)}`);
  } finally {
    if (patient) {
      const del = await a.delete(`patient/${patient}`);
      notes.push(del.status === 204 || del.status === 200 ? 'probe patient voided' : `voiding the probe patient failed: ${describe(del)}`);
    }
  }
  return result('read-your-writes', verdict, notes.join('; '));
}

async function register(a: Session, family: string, notes: string[]): Promise<string> {
  const sources = await a.get('idgen/identifiersource?v=default');
  const found = list(sources.json, 'results').find((s) => str(s, 'identifierType', 'uuid') === OPENMRS_ID_TYPE);
  const source = str(found, 'uuid') ?? KNOWN_SOURCE;
  if (!found) notes.push(`no idgen source listed for OpenMRS ID (${describe(sources)}); used ${KNOWN_SOURCE}`);
  const gen = await a.post(`idgen/identifiersource/${source}/identifier`, {});
  const identifier = str(gen.json, 'identifier');
  if (!identifier) throw new Setup(`could not generate an identifier from source ${source}: ${describe(gen)}`);

  let loc = await a.get('location?tag=Login%20Location');
  if (!uuids(loc.json).length) loc = await a.get('location?limit=1');
  const location = uuids(loc.json)[0];
  if (!location) throw new Setup(`no location to register at: ${describe(loc)}`);

  const created = await a.post('patient', {
    identifiers: [{ identifier, identifierType: OPENMRS_ID_TYPE, location, preferred: true }],
    person: { gender: 'F', birthdate: '1990-01-01', birthdateEstimated: true, names: [{ givenName: 'Probe', familyName: family }] },
  });
  const uuid = str(created.json, 'uuid');
  if (created.status !== 201 || !uuid) throw new Setup(`registering the probe patient failed: ${describe(created)}`);
  return uuid;
}

async function search(s: Session, family: string, uuid: string, tries: number) {
  let last = '';
  for (let i = 1; i <= tries; i++) {
    const r = await s.get(`patient?q=${encodeURIComponent(family)}&limit=100`);
    if (uuids(r.json).includes(uuid)) return { found: true, tries: i, last: describe(r) };
    last = r.status === 200 ? `${uuids(r.json).length} result(s)` : describe(r);
    if (i < tries) await sleep(SEARCH_GAP_MS);
  }
  return { found: false, tries, last };
}
