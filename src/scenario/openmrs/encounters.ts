import { LABS, labValue, visitNote, vitalValues } from '../../core/synthetic/clinical.ts';
import { step } from '../dsl.ts';
import type { Step, VuContext } from '../types.ts';
import {
  CLINICAL_NOTES, DIAGNOSES, DIAGNOSIS, ENCOUNTER_ROLE_CLINICIAN, ENCOUNTER_TYPE, LAB_CONCEPTS, LOCATION, REST, VISIT_NOTE_TEXT,
  VITALS_CONCEPTS, ciel,
} from './constants.ts';
import { createdUuid, needVar, noteServerTime, okJson, optVar, results, rngFor, sessionLocation, str } from './util.ts';

type Obs = { concept: string; value: string | number };

interface EncounterSpec {
  type: string;
  obs: Obs[];
  location?: string;
  /** Attach to vars.visitUuid when there is one (vitals and notes belong to the visit; a lab feed need not). */
  inVisit?: boolean;
}

/**
 * POST /encounter as O3's forms send it: patient, type, location, the visit, the logged-in provider as
 * clinician, obs; no encounterDatetime, so the server stamps it (within the visit it stamped too).
 */
async function postEncounter(vu: VuContext, name: string, spec: EncounterSpec): Promise<string> {
  const patient = needVar(vu, name, 'patientUuid', 'searchPatient or registerPatient');
  const provider = optVar(vu, 'providerUuid');
  const visit = spec.inVisit === false ? undefined : optVar(vu, 'visitUuid');
  const body: Record<string, unknown> = {
    patient,
    encounterType: spec.type,
    location: spec.location ?? sessionLocation(vu),
    encounterProviders: provider ? [{ provider, encounterRole: ENCOUNTER_ROLE_CLINICIAN }] : [],
    obs: spec.obs,
  };
  if (visit) body.visit = visit;
  const res = await vu.http.post(`${REST}/encounter`, body, { expect: [201] });
  const uuid = createdUuid(res, name, 'the encounter');
  const created = okJson(res);
  noteServerTime(vu, str(created, 'encounterDatetime'));
  const saved = (created as { obs?: unknown[] } | undefined)?.obs;
  vu.check(`${name}: all obs saved`, Array.isArray(saved) && saved.length === spec.obs.length);
  vu.vars.set('encounterUuid', uuid);
  return uuid;
}

const TAG = { vitals: 0x76697461, note: 0x6e6f7465, lab: 0x6c616273, dispense: 0x64697370 } as const;

/** The nurse's vitals form: the nine vitals obs, values plausible for the patient's age and inside the concepts' absolute ranges. */
export function recordVitals(opts: { name?: string } = {}): Step {
  const name = opts.name ?? 'recordVitals';
  return step(name, async (vu) => {
    const age = vu.vars.get('patientAge');
    const values = vitalValues(typeof age === 'number' ? age : 35, rngFor(vu, TAG.vitals));
    const obs = VITALS_CONCEPTS.map((concept, i) => ({ concept, value: values[i] ?? 0 }));
    await postEncounter(vu, name, { type: ENCOUNTER_TYPE.vitals, obs });
  });
}

/** The doctor's visit note: free text and one coded diagnosis (as obs, the way the seeded history stores them). */
export function writeVisitNote(opts: { name?: string } = {}): Step {
  const name = opts.name ?? 'writeVisitNote';
  return step(name, async (vu) => {
    const rng = rngFor(vu, TAG.note);
    const obs = [{ concept: VISIT_NOTE_TEXT, value: visitNote(rng) }, { concept: DIAGNOSIS, value: rng.pick(DIAGNOSES) }];
    await postEncounter(vu, name, { type: ENCOUNTER_TYPE.visitNote, obs });
  });
}

/**
 * The lab technician entering results: a Lab Results encounter at the laboratory with a few numeric
 * results (haemoglobin, glucose, CD4, …), values from the seeder's lab ranges.
 */
export function labResults(opts: { name?: string; tests?: number } = {}): Step {
  const name = opts.name ?? 'labResults';
  const specs = LAB_CONCEPTS.map((c) => LABS.find((l) => l.concept === c)).filter((l) => l !== undefined);
  return step(name, async (vu) => {
    const rng = rngFor(vu, TAG.lab);
    const tests = specs.slice(0, Math.max(1, Math.min(specs.length, opts.tests ?? 3)));
    const obs = tests.map((spec) => ({ concept: ciel(spec.concept), value: labValue(spec, rng) }));
    await postEncounter(vu, name, { type: ENCOUNTER_TYPE.labResults, obs, location: LOCATION.laboratory, inVisit: false });
  });
}

const MEDICINES = [
  'Artemether/lumefantrine 20/120 mg, 24 tablets', 'Amlodipine 5 mg, 30 tablets', 'Metformin 500 mg, 60 tablets',
  'Amoxicillin 500 mg, 15 capsules', 'Paracetamol 500 mg, 20 tablets', 'TDF/3TC/DTG, 30 tablets', 'Ferrous sulfate 200 mg, 30 tablets',
];

/**
 * The pharmacist dispensing. The reference target has no orders or dispensing API (O3 dispenses
 * through FHIR MedicationRequest/MedicationDispense), so this reads what a dispenser reads — the
 * patient's recent encounters and diagnoses — and records the dispense as a Consultation encounter
 * with a note at the pharmacy: the same read-then-write load on the same tables.
 */
export function dispense(opts: { name?: string } = {}): Step {
  const name = opts.name ?? 'dispense';
  return step(name, async (vu) => {
    const patient = needVar(vu, name, 'patientUuid', 'searchPatient or registerPatient');
    const encounters = await vu.http.get(
      `${REST}/encounter?patient=${patient}&order=desc&limit=10&v=custom:(uuid,encounterDatetime,encounterType:(uuid,display),obs:(uuid,display,value))`,
      { name: `${name}:encounters`, expect: [200] },
    );
    await vu.http.get(`${REST}/obs?patient=${patient}&concept=${DIAGNOSIS}&v=custom:(uuid,obsDatetime,value:(uuid,display))&limit=10`, {
      name: `${name}:diagnoses`,
      expect: [200],
    });
    const rng = rngFor(vu, TAG.dispense);
    const recent = results(okJson(encounters)).length;
    const note = `Dispensed ${rng.pick(MEDICINES)}; counselled on dosing${recent ? '' : ' (no prior encounters on file)'}.`;
    await postEncounter(vu, name, { type: ENCOUNTER_TYPE.consultation, obs: [{ concept: CLINICAL_NOTES, value: note }], location: LOCATION.pharmacy, inVisit: false });
  });
}
