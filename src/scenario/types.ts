/**
 * The scenario model: a scenario has weighted journeys; a journey is a sequence of steps with think
 * times; a step makes one or more HTTP requests through its virtual user. Scenario files build these
 * with the helpers in dsl.ts; the engine runs them. Nothing here knows about OpenMRS.
 */

/** What a step's HTTP call returns. `json()` throws a StepError with errorClass 'non-json' when the body is not JSON. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json<T = unknown>(): T;
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** Statuses that count as success (default: 2xx and 3xx). */
  expect?: number[] | ((status: number) => boolean);
  /** Labels the request inside its step's metrics (e.g. the chart fan-out's parts); default: the step's name. */
  name?: string;
  /** Sends `Authorization: Basic …` with the scenario's credentials (only login steps do). */
  basicAuth?: boolean;
}

/** The HTTP client of one virtual user: its own cookie jar, keep-alive connections, timeouts. */
export interface VuHttp {
  request(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, opts?: RequestOptions): Promise<HttpResponse>;
  get(path: string, opts?: RequestOptions): Promise<HttpResponse>;
  post(path: string, body: unknown, opts?: RequestOptions): Promise<HttpResponse>;
  /**
   * Several requests at once, the responses in request order. Optional: the k6 export's client has it
   * (k6's http.batch, a k6 VU's only concurrency); the engine's has none, since concurrent calls do the same there.
   */
  batch?(requests: { method: 'GET' | 'POST' | 'PUT' | 'DELETE'; path: string; opts?: RequestOptions }[]): Promise<HttpResponse[]>;
  /** Forgets cookies (a fresh browser). */
  clearCookies(): void;
}

/** What a step sees: its virtual user's HTTP client, variables (correlation), feeders, checks, randomness. */
export interface VuContext {
  readonly vu: number;
  readonly iteration: number;
  readonly http: VuHttp;
  /** Values carried between steps (a patient uuid from a search, a visit uuid from startVisit, …). */
  readonly vars: Map<string, unknown>;
  /** The next record of a named feeder (names and identifiers of seeded patients, or CSV rows). */
  feed(name: string): Record<string, string>;
  /** Records a named check (k6's `check`); a failed check is counted, not thrown. Returns `ok`. */
  check(name: string, ok: boolean): boolean;
  /** Uniform in [0, 1), seeded per virtual user so runs are repeatable. */
  random(): number;
  /** Credentials for Basic login (from flags or environment; never written out). */
  readonly credentials: { username: string; password: string };
  /** The scenario's base path on the target, e.g. `/openmrs`. */
  readonly basePath: string;
}

/** Raised by steps for a failure that should end the iteration (counted as the step's error). */
export class StepError extends Error {
  constructor(
    message: string,
    readonly errorClass: string = 'step',
  ) {
    super(message);
  }
}

export interface Step {
  /** Metric name of the step, e.g. `searchPatient` (k6's `name` tag / a Gatling request name). */
  name: string;
  run(vu: VuContext): Promise<void>;
}

export type ThinkTime =
  | { kind: 'constant'; seconds: number }
  | { kind: 'uniform'; min: number; max: number }
  | { kind: 'exponential'; mean: number };

/** A step, or a pause between steps. */
export type JourneyItem = { step: Step } | { think: ThinkTime };

export interface Journey {
  name: string;
  /** Relative share of iterations (weights need not sum to 1). */
  weight: number;
  items: JourneyItem[];
}

/** k6 executors and their options (durations in seconds). */
export type ExecutorConfig =
  | { executor: 'constant-vus'; vus: number; duration: number }
  | { executor: 'ramping-vus'; startVUs?: number; stages: { duration: number; target: number }[]; gracefulRampDown?: number }
  | { executor: 'constant-arrival-rate'; rate: number; timeUnit?: number; duration: number; preAllocatedVUs: number; maxVUs?: number }
  | {
      executor: 'ramping-arrival-rate';
      startRate?: number;
      timeUnit?: number;
      stages: { duration: number; target: number }[];
      preAllocatedVUs: number;
      maxVUs?: number;
    };

export type ProfileName = 'smoke' | 'nightly' | 'capacity';

/** A feeder yields records to steps; `seeded` ones come from the target's seeded data. */
export type FeederSpec =
  | { kind: 'seeded-patients'; count?: number }
  | { kind: 'csv'; path: string }
  | { kind: 'inline'; records: Record<string, string>[] };

export interface Scenario {
  name: string;
  description: string;
  journeys: Journey[];
  /** Load for each profile; `defaultProfile` is used when the command line names none. */
  profiles: Partial<Record<ProfileName, ExecutorConfig>>;
  defaultProfile: ProfileName;
  /** k6 syntax: { 'http_req_duration{step:searchPatient}': ['p(95)<500'], http_req_failed: ['rate<0.01'] }. */
  thresholds?: Record<string, (string | { threshold: string; abortOnFail?: boolean })[]>;
  feeders?: Record<string, FeederSpec>;
  /** Path prefix of the application on the target (default `/openmrs`). */
  basePath?: string;
  /** Seconds an iteration may run past the end before it is cut (k6's gracefulStop, default 30). */
  gracefulStop?: number;
}
