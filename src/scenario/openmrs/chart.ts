import { step } from '../dsl.ts';
import type { Step } from '../types.ts';
import {
  ACTIVE_VISIT_REP, BANNER_REP, BIOMETRICS_CONCEPTS, DIAGNOSIS, ENCOUNTER_TYPE, ENCOUNTERS_REP, FHIR, LAB_CONCEPTS, PERSON_DEATH_REP,
  REST, VISITS_REP, VITALS_CONCEPTS, ciel,
} from './constants.ts';
import { fanOut, needVar, okJson, results, str, type FanRequest } from './util.ts';

const codes = (uuids: string[]) => uuids.join(',');

/**
 * Opening a patient's chart in O3: the banner, the active visit, the visit summary, vitals and
 * biometrics (FHIR), conditions, encounters, recent lab results, the diagnoses history, the
 * deceased check — about a dozen calls fired together (the suite counts ~12; orders and queue
 * entries have no counterpart in the reference target). Saves `activeVisitUuid` when the patient
 * has an open visit, for startVisit({ reuseActive: true }).
 */
export function openChart(opts: { name?: string } = {}): Step {
  const name = opts.name ?? 'openChart';
  return step(name, async (vu) => {
    const p = needVar(vu, name, 'patientUuid', 'searchPatient or registerPatient');
    const observations = (concepts: string[]) => `${FHIR}/Observation?subject:Patient=${p}&code=${codes(concepts)}&_summary=data&_sort=-date&_count=100`;
    const requests: FanRequest[] = [
      { name: 'fhirPatient', path: `${FHIR}/Patient/${p}?_summary=data` },
      { name: 'patientBanner', path: `${REST}/patient/${p}?v=${BANNER_REP}` },
      { name: 'activeVisit', path: `${REST}/visit?patient=${p}&includeInactive=false&v=${ACTIVE_VISIT_REP}` },
      { name: 'visits', path: `${REST}/visit?patient=${p}&v=${VISITS_REP}&limit=5&totalCount=true` },
      { name: 'vitals', path: observations(VITALS_CONCEPTS.slice(0, 6)) },
      { name: 'biometrics', path: observations(BIOMETRICS_CONCEPTS) },
      { name: 'labResults', path: observations(LAB_CONCEPTS.map(ciel)) },
      { name: 'conditions', path: `${FHIR}/Condition?patient=${p}&_count=100&_summary=data` },
      { name: 'encounters', path: `${REST}/encounter?patient=${p}&v=${ENCOUNTERS_REP}&order=desc&limit=20&totalCount=true` },
      {
        name: 'visitNotes',
        path: `${REST}/encounter?patient=${p}&encounterType=${ENCOUNTER_TYPE.visitNote}&order=desc&limit=5&v=custom:(uuid,encounterDatetime,obs:(uuid,value,concept:(uuid,display)))`,
      },
      { name: 'diagnoses', path: `${REST}/obs?patient=${p}&concept=${DIAGNOSIS}&v=custom:(uuid,obsDatetime,value:(uuid,display))&limit=10` },
      { name: 'person', path: `${REST}/person/${p}?v=${PERSON_DEATH_REP}` },
    ];
    const [patient, , active] = await fanOut(vu, requests.map((r) => ({ ...r, name: `${name}:${r.name}` })));
    vu.check('openChart: patient found', patient?.status === 200);
    const visit = active ? str(results(okJson(active))[0], 'uuid') : undefined;
    if (visit) vu.vars.set('activeVisitUuid', visit);
    else vu.vars.delete('activeVisitUuid');
  });
}
