import { step } from '../dsl.ts';
import type { Step } from '../types.ts';
import { FHIR, IDENTIFIER_TYPES_REP, OPENMRS_ID_TYPE, REST, VITAL_SIGNS_SET, VITALS_SET_REP } from './constants.ts';
import { fanOut, optVar, type FanRequest } from './util.ts';

/**
 * The O3 home page after login: the metadata its apps fetch at start-up (the performance suite counts
 * 12 GETs). Only resources the reference target serves are asked for; a real OpenMRS also loads
 * config, app menus and queues, which have no counterpart there.
 */
export function homePage(opts: { name?: string } = {}): Step {
  const name = opts.name ?? 'homePage';
  return step(name, async (vu) => {
    const user = optVar(vu, 'userUuid');
    const requests: FanRequest[] = [
      { name: 'session', path: `${REST}/session` },
      { name: 'loginLocations', path: `${FHIR}/Location?_summary=data&_count=50&_tag=Login%20Location` },
      { name: 'visitLocations', path: `${REST}/location?tag=Visit%20Location&v=custom:(uuid,display)` },
      { name: 'visitTypes', path: `${REST}/visittype?v=custom:(uuid,name,display)` },
      { name: 'identifierTypes', path: `${REST}/patientidentifiertype?v=${IDENTIFIER_TYPES_REP}` },
      { name: 'primaryIdentifierType', path: `${REST}/patientidentifiertype/${OPENMRS_ID_TYPE}?v=custom:(uuid,display,name,format)` },
      { name: 'identifierSources', path: `${REST}/idgen/identifiersource?v=default&identifierType=${OPENMRS_ID_TYPE}` },
      { name: 'autoGenerationOptions', path: `${REST}/idgen/autogenerationoption?v=full&identifierType=${OPENMRS_ID_TYPE}` },
      { name: 'encounterTypes', path: `${REST}/encountertype?v=custom:(uuid,name,display)` },
      { name: 'encounterRoles', path: `${REST}/encounterrole?v=custom:(uuid,name,display)` },
      { name: 'vitalsConcepts', path: `${REST}/concept/${VITAL_SIGNS_SET}?v=${VITALS_SET_REP}` },
      user
        ? { name: 'currentProvider', path: `${REST}/provider?user=${user}&v=custom:(uuid,display,person:(uuid))` }
        : { name: 'providers', path: `${REST}/provider?v=custom:(uuid,display)&limit=10` },
    ];
    const responses = await fanOut(vu, requests.map((r) => ({ ...r, name: `${name}:${r.name}` })));
    vu.check('homePage: metadata loaded', responses.every((r) => r.status === 200));
  });
}
