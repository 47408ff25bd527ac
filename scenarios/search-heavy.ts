/**
 * search-heavy — the read side of a busy clinic: registration desks and clinicians looking patients up.
 *
 * Models: clerks at the registration desk typing partial names ("Ach Otie") and paging through the
 * hits; returning patients who hand over their card (identifier search → chart); clinicians calling
 * the next patient by name and opening the chart. Each iteration is one login (the performance
 * suite logs in afresh every iteration) followed by several look-ups, as a desk handles a queue.
 *
 * Mix (journey weights): registration-desk 40, returning-patient 20, clinician 40.
 * Requests per iteration (GET = read; POST /session to pick the location is the only write):
 *   registration-desk  17–25 reads (login 1, home page 12, 4 partial searches of 1–3 pages), 1 write
 *   returning-patient  39 reads (login 1, home page 12, 2 × (identifier search 1 + chart 12)), 1 write
 *   clinician          39–41 reads (login 1, home page 12, 2 × (name search 1–2 pages + chart 12)), 1 write
 * Weighted: ≈ 32 reads to 1 write per iteration, ≈ 97% reads (≥ 80% required). Of the reads, about
 * 45% are chart calls, 12% patient searches, 40% home-page metadata and 3% logins.
 *
 * Sources: the OpenMRS performance suite (home page = 12 metadata GETs, chart ≈ 12 calls, O3's search
 * representation and limit 10 with totalCount, pauses of a few seconds between actions); busy HIV
 * clinics where a clinician sees ~80 patients per half day (one look-up every ~3 minutes per clinician,
 * a desk several per minute).
 *
 * Load: nightly holds 1 iteration/s for 10 min — ≈ 35 requests/s, and by Little's law about 25
 * concurrent users at ~25 s per iteration — which a 2-core machine running the target, MariaDB and the
 * generator sustains; capacity doubles the arrival rate every 2.5 minutes up to 32/s, past saturation.
 */
import { journey, scenario, think } from '../src/scenario/dsl.ts';
import { LOCATION, homePage, login, openChart, searchPatient, selectLocation } from '../src/scenario/openmrs/index.ts';

const partial = searchPatient({ by: 'partial', pages: 3 });
const byIdentifier = searchPatient({ by: 'identifier' });
const byName = searchPatient({ by: 'name', pages: 2 });
const chart = openChart();
const signIn = (location: string) => [login(), think.uniform(1, 3), selectLocation(location), homePage()];

export default scenario({
  name: 'search-heavy',
  description: 'Registration desk and clinicians searching by partial name, name and identifier, paging, opening charts',
  feeders: { patients: { kind: 'seeded-patients', count: 500 } },
  journeys: [
    journey('registration-desk', 40, signIn(LOCATION.registrationDesk),
      think.uniform(3, 8), partial, think.uniform(3, 8), partial, think.uniform(3, 8), partial, think.uniform(3, 8), partial),
    journey('returning-patient', 20, signIn(LOCATION.outpatient),
      think.uniform(3, 8), byIdentifier, think.uniform(2, 6), chart, think.uniform(3, 8), byIdentifier, think.uniform(2, 6), chart),
    journey('clinician', 40, signIn(LOCATION.outpatient),
      think.uniform(5, 12), byName, think.uniform(2, 6), chart, think.uniform(5, 12), byName, think.uniform(2, 6), chart),
  ],
  defaultProfile: 'nightly',
  profiles: {
    smoke: { executor: 'constant-vus', vus: 3, duration: '30s' },
    nightly: { executor: 'constant-arrival-rate', rate: 1, timeUnit: '1s', duration: '10m', preAllocatedVUs: 30, maxVUs: 100 },
    capacity: {
      executor: 'ramping-arrival-rate',
      startRate: 1,
      timeUnit: '1s',
      stages: [2, 4, 8, 16, 32].flatMap((rate) => [{ duration: '30s', target: rate }, { duration: '2m', target: rate }]),
      preAllocatedVUs: 50,
      maxVUs: 1500,
    },
  },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    checks: ['rate>0.99'],
    'http_req_duration{step:searchPatient}': ['p(95)<1000', 'p(99)<2500'],
    'http_req_duration{step:openChart}': ['p(95)<2000'],
    'http_req_duration{step:homePage}': ['p(95)<1000'],
  },
});
