/**
 * hybrid — a clinic day with the performance suite's five personas, 20% each.
 *
 * Models: every iteration is one persona's task after a fresh login (as the suite does), with the
 * suite's 2–10 s pauses between actions:
 *   clerk       registration desk: home page, duplicate check by partial name, register, check in (start visit)
 *   doctor      outpatients: find by name, open the chart, start a visit, visit note + diagnosis, end visit
 *   nurse       ward: find by identifier, open the chart, admit into the open visit (or start one), vitals
 *   pharmacist  pharmacy: find by identifier, read encounters and diagnoses, record the dispense
 *   lab tech    laboratory: find by identifier, enter results
 * The target has no appointments, queues, orders or dispensing API, so those parts of the suite's
 * personas are represented by the nearest requests it has (see src/scenario/openmrs/encounters.ts).
 *
 * Requests per iteration (reads — writes; the home page is 12 reads, a chart 12, login 1):
 *   clerk 14 — 4, doctor 26 — 4, nurse 26 — 2 or 3, pharmacist 16 — 2, lab tech 14 — 2
 * Weighted: ≈ 19 reads to 3 writes per iteration, ≈ 86% reads — close to the suite's mix, where
 * chart and metadata reads dominate too.
 *
 * Sources: openmrs-contrib-performance-test (personas at 20% each, 2–10 s pauses, every iteration logs
 * in afresh, home page = 12 GETs, chart ≈ 12 calls); busy-clinic volumes (a clinician sees ~80 patients
 * per half day).
 *
 * Load: an iteration lasts ~40 s (6–7 pauses of 6 s on average), so nightly's 0.5 iterations/s keeps
 * ~20 users busy and sends ≈ 11 requests/s — comfortably held by a 2-core machine; capacity doubles the
 * arrival rate every 2.5 minutes up to 16/s (~640 concurrent users), past what one replica serves.
 */
import { journey, scenario, think } from '../src/scenario/dsl.ts';
import {
  LOCATION, dispense, endVisit, homePage, labResults, login, openChart, recordVitals, registerPatient, searchPatient, selectLocation,
  startVisit, writeVisitNote,
} from '../src/scenario/openmrs/index.ts';

const pause = () => think.uniform(2, 10);
const signIn = (location: string) => [login(), pause(), selectLocation(location), pause(), homePage()];

export default scenario({
  name: 'hybrid',
  description: "A clinic day: the performance suite's clerk, doctor, nurse, pharmacist and lab tech, 20% each",
  feeders: { patients: { kind: 'seeded-patients', count: 500 } },
  journeys: [
    journey('clerk', 20, signIn(LOCATION.registrationDesk),
      pause(), searchPatient({ by: 'partial' }), pause(), registerPatient(), pause(), startVisit()),
    journey('doctor', 20, signIn(LOCATION.outpatient),
      pause(), searchPatient({ by: 'name' }), pause(), openChart(), pause(), startVisit(), pause(), writeVisitNote(), pause(), endVisit()),
    journey('nurse', 20, signIn(LOCATION.inpatientWard),
      pause(), searchPatient({ by: 'identifier' }), pause(), openChart(), pause(), startVisit({ reuseActive: true }), pause(), recordVitals()),
    journey('pharmacist', 20, signIn(LOCATION.pharmacy),
      pause(), searchPatient({ by: 'identifier' }), pause(), dispense()),
    journey('lab-tech', 20, signIn(LOCATION.laboratory),
      pause(), searchPatient({ by: 'identifier' }), pause(), labResults()),
  ],
  defaultProfile: 'nightly',
  profiles: {
    smoke: { executor: 'constant-vus', vus: 4, duration: '30s' },
    nightly: { executor: 'constant-arrival-rate', rate: 0.5, timeUnit: '1s', duration: '10m', preAllocatedVUs: 30, maxVUs: 100 },
    capacity: {
      executor: 'ramping-arrival-rate',
      startRate: 0.5,
      timeUnit: '1s',
      stages: [1, 2, 4, 8, 16].flatMap((rate) => [{ duration: '30s', target: rate }, { duration: '2m', target: rate }]),
      preAllocatedVUs: 50,
      maxVUs: 1500,
    },
  },
  thresholds: {
    // The suite's only gate is ≤ 3% failed requests; latency gates per step are ours.
    http_req_failed: ['rate<0.03'],
    checks: ['rate>0.97'],
    'http_req_duration{step:searchPatient}': ['p(95)<1000'],
    'http_req_duration{step:openChart}': ['p(95)<2000'],
    'http_req_duration{step:recordVitals}': ['p(95)<1500'],
    'http_req_duration{step:registerPatient}': ['p(95)<1500'],
  },
});
