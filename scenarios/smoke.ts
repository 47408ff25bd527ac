/**
 * smoke — one short journey through every area the other workloads load, for a quick end-to-end check
 * of a target (and of loadlab itself) before a long run.
 *
 * Models: one user who logs in, picks a location, loads the home page, finds a seeded patient by
 * identifier and opens the chart, then registers a new patient and takes them through a visit with
 * vitals and a note. Half-second pauses: this checks that everything answers, not how users behave.
 *
 * Requests per iteration: 26 reads (login 1, home page 12, search 1, chart 12) — 7 writes (session
 * location, idgen, patient, visit, vitals, visit note, visit close), ≈ 79% reads.
 *
 * Sources: the performance suite's personas condensed to one pass; the O3 calls of each step.
 *
 * Load: the smoke profile (2 users for 30 s, at most a minute with the graceful stop) is the default;
 * nightly and capacity exist so that the same check can be run under load.
 */
import { journey, scenario, think } from '../src/scenario/dsl.ts';
import {
  LOCATION, endVisit, homePage, login, openChart, recordVitals, registerPatient, searchPatient, selectLocation, startVisit,
  writeVisitNote,
} from '../src/scenario/openmrs/index.ts';

const pause = think.constant(0.5);

export default scenario({
  name: 'smoke',
  description: 'Login, search, chart, registration, visit, vitals and note in one short journey',
  feeders: { patients: { kind: 'seeded-patients', count: 50 } },
  journeys: [
    journey('end-to-end', 1,
      login(), selectLocation(LOCATION.outpatient), homePage(), pause,
      searchPatient({ by: 'identifier' }), pause, openChart(), pause,
      registerPatient(), pause, startVisit(), pause, recordVitals(), pause, writeVisitNote(), pause, endVisit()),
  ],
  defaultProfile: 'smoke',
  gracefulStop: '30s',
  profiles: {
    smoke: { executor: 'constant-vus', vus: 2, duration: '30s' },
    nightly: { executor: 'constant-arrival-rate', rate: 0.5, timeUnit: '1s', duration: '5m', preAllocatedVUs: 5, maxVUs: 20 },
    capacity: {
      executor: 'ramping-arrival-rate',
      startRate: 1,
      timeUnit: '1s',
      stages: [2, 4, 8, 16].flatMap((rate) => [{ duration: '20s', target: rate }, { duration: '1m', target: rate }]),
      preAllocatedVUs: 20,
      maxVUs: 400,
    },
  },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    checks: ['rate>0.99'],
    'http_req_duration{step:searchPatient}': ['p(95)<1000'],
    'http_req_duration{step:openChart}': ['p(95)<2000'],
  },
});
