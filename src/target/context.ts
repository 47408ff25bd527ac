import type { IncomingMessage } from 'node:http';
import type { Pool } from 'mysql2/promise';
import type { MetadataCache } from './cache.ts';
import type { Session, SessionStore } from './sessions.ts';
import type { User, UserDirectory } from './users.ts';

/** Patient search, served either from this process's own index or straight from SQL. */
export interface PatientSearch {
  readonly mode: 'local' | 'db';
  /** Patient ids matching `q` (names: AND of prefix terms; identifiers), at most `cap`, in OpenMRS's order. */
  search(q: string, opts: { includeDead: boolean; cap: number }): Promise<number[]>;
  /** Called after this process saved a patient: a local index learns of it, other replicas' indexes do not. */
  patientSaved(patientId: number): Promise<void>;
}

/** Everything a request handler may use; one per target process. */
export interface TargetContext {
  readonly pool: Pool;
  readonly replica: string;
  readonly cache: MetadataCache;
  readonly sessions: SessionStore;
  readonly users: UserDirectory;
  readonly search: PatientSearch;
  /** `local`: metadata cached per process (OpenMRS's default); `shared`: invalidated through the database. */
  readonly cacheMode: 'local' | 'shared';
  log(line: string): void;
}

export type Method = 'GET' | 'POST' | 'DELETE' | 'PUT';

export interface RequestContext {
  readonly target: TargetContext;
  readonly req: IncomingMessage;
  readonly method: Method;
  readonly path: string;
  readonly params: Record<string, string>;
  readonly query: URLSearchParams;
  /** `http://host/openmrs/ws/rest/v1`, for links. */
  readonly baseUrl: string;
  /** `http://host/openmrs/ws/fhir2/R4`, for FHIR fullUrls. */
  readonly fhirBase: string;
  /** The parsed JSON body (400 when malformed). */
  body(): Promise<unknown>;
  session?: Session;
  user?: User;
  /** Throws 403 unless the logged-in user holds the privilege. */
  requirePrivilege(privilege: string): void;
  /** The logged-in user (throws 401 when none, which the router prevents for `auth` routes). */
  currentUser(): User;
  /** Headers to add to the response (e.g. Set-Cookie). */
  readonly responseHeaders: Record<string, string | string[]>;
}

export interface Reply {
  status?: number;
  body?: unknown;
  contentType?: string;
}

export interface Route {
  method: Method;
  /** Relative to the API root, e.g. `/patient/:uuid`. */
  path: string;
  /** Request class, for `--slowdown` and logs: search, patient, visit, encounter, obs, concept, session, fhir, … */
  cls: string;
  /** `rest` (default) needs a logged-in user; `public` does not. */
  access?: 'rest' | 'public';
  handler(ctx: RequestContext): Promise<Reply>;
}
