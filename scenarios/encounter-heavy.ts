/**
 * encounter-heavy — the write side: new patients taken through a whole visit, and lab results keyed in.
 *
 * Models: a data-entry clerk (or an outpatient nurse-clinician pair) registering a new patient, starting
 * a facility visit, recording the nine vitals, writing the visit note with a diagnosis and closing the
 * visit; and a lab technician entering results for a returning patient found by identifier. The home
 * page is left out on purpose: its 12 metadata reads would outnumber the writes this workload is about.
 *
 * Mix (journey weights): new-patient-visit 70, lab-entry 30.
 * Requests per iteration:
 *   new-patient-visit  1 read (login) — 7 writes (session location, idgen identifier, patient, visit,
 *                      vitals encounter with 9 obs, visit-note encounter with 2 obs, visit close)
 *   lab-entry          2 reads (login, identifier search) — 2 writes (session location, lab encounter with 3 obs)
 * Weighted: ≈ 1.3 reads to 5.5 writes per iteration, ≈ 81% writes; ≈ 4.6 data rows-changing requests.
 *
 * Sources: the performance suite's clerk (registration body, idgen), doctor (start visit with
 * startDatetime null, visit note, end visit) and nurse (9 CIEL vitals) personas, with shorter pauses
 * than its 2–10 s where a form is being filled in one go (think times are the time to fill each form).
 *
 * Load: nightly holds 1 iteration/s for 10 min (≈ 6 writes/s, ≈ 30 concurrent users at ~35 s per
 * iteration), well within a 2-core machine; capacity doubles the rate every 2.5 minutes up to 32/s.
 */
import { journey, scenario, think } from '../src/scenario/dsl.ts';
import {
  LOCATION, endVisit, labResults, login, recordVitals, registerPatient, searchPatient, selectLocation, startVisit, writeVisitNote,
} from '../src/scenario/openmrs/index.ts';

export default scenario({
  name: 'encounter-heavy',
  description: 'Register, start visit, vitals, visit note, end visit; lab results entry — write-dominated',
  feeders: { patients: { kind: 'seeded-patients', count: 500 } },
  journeys: [
    journey('new-patient-visit', 70,
      login(), think.uniform(1, 3), selectLocation(LOCATION.outpatient),
      think.uniform(5, 10), registerPatient(),
      think.uniform(2, 5), startVisit(),
      think.uniform(5, 12), recordVitals(),
      think.uniform(8, 20), writeVisitNote(),
      think.uniform(2, 5), endVisit()),
    journey('lab-entry', 30,
      login(), think.uniform(1, 3), selectLocation(LOCATION.laboratory),
      think.uniform(2, 5), searchPatient({ by: 'identifier' }),
      think.uniform(5, 12), labResults({ tests: 3 })),
  ],
  defaultProfile: 'nightly',
  profiles: {
    smoke: { executor: 'constant-vus', vus: 2, duration: '30s' },
    nightly: { executor: 'constant-arrival-rate', rate: 1, timeUnit: '1s', duration: '10m', preAllocatedVUs: 40, maxVUs: 120 },
    capacity: {
      executor: 'ramping-arrival-rate',
      startRate: 1,
      timeUnit: '1s',
      stages: [2, 4, 8, 16, 32].flatMap((rate) => [{ duration: '30s', target: rate }, { duration: '2m', target: rate }]),
      preAllocatedVUs: 60,
      maxVUs: 2000,
    },
  },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    checks: ['rate>0.99'],
    'http_req_duration{step:registerPatient}': ['p(95)<1500'],
    'http_req_duration{step:recordVitals}': ['p(95)<1500'],
    'http_req_duration{step:writeVisitNote}': ['p(95)<1500'],
    'http_req_duration{step:startVisit}': ['p(95)<1000'],
  },
});
