import mysql from 'mysql2/promise';
import type { DbLocation } from '../core/db-url.ts';
import { MetadataCache } from './cache.ts';
import type { TargetContext } from './context.ts';
import { fhirRoutes, restRoutes } from './resources/index.ts';
import { hasSchema, installSchema } from './schema.ts';
import { createPatientSearch } from './search/index.ts';
import { createTargetServer } from './server.ts';
import { MemorySessionStore, RedisSessionStore, type SessionStore } from './sessions.ts';
import { UserDirectory } from './users.ts';

export interface TargetOptions {
  db: DbLocation;
  port: number;
  host?: string;
  /** Name reported in `X-Served-By`. */
  replica?: string;
  /** `memory` (default, like Tomcat) or a `redis://` URL. */
  sessions?: string;
  search?: 'local' | 'db';
  /** Metadata cache: `local` per process, or `shared` (invalidated through the database). Default: shared with --search db. */
  cache?: 'local' | 'shared';
  slowdown?: Record<string, number>;
  poolSize?: number;
  log?: (line: string) => void;
}

export interface RunningTarget {
  readonly port: number;
  readonly url: string;
  readonly context: TargetContext;
  close(): Promise<void>;
}

/** One reference-target replica: connects, loads its caches and index, then listens. */
export async function startTarget(opts: TargetOptions): Promise<RunningTarget> {
  const pool = mysql.createPool({
    ...opts.db,
    connectionLimit: opts.poolSize ?? 20,
    timezone: 'Z',
    dateStrings: false,
    supportBigNumbers: true,
  });
  let sessions: SessionStore | undefined;
  try {
    if (!(await hasSchema(opts.db))) await installSchema(opts.db);
    sessions =
      opts.sessions && opts.sessions !== 'memory' ? await RedisSessionStore.connect(opts.sessions) : new MemorySessionStore();
    const context: TargetContext = {
      pool,
      replica: opts.replica ?? `replica-${process.pid}`,
      cache: await MetadataCache.load(pool),
      sessions,
      users: new UserDirectory(pool),
      search: await createPatientSearch(opts.search ?? 'local', pool),
      cacheMode: opts.cache ?? (opts.search === 'db' ? 'shared' : 'local'),
      log: opts.log ?? ((line) => console.error(line)),
    };
    const http = createTargetServer(context, { rest: restRoutes, fhir: fhirRoutes }, { slowdown: opts.slowdown });
    const host = opts.host ?? '127.0.0.1';
    const port = await http.listen(opts.port, host);
    return {
      port,
      url: `http://${host}:${port}/openmrs`,
      context,
      async close() {
        await http.close();
        await sessions?.close();
        await pool.end();
      },
    };
  } catch (e) {
    await sessions?.close();
    await pool.end();
    throw e;
  }
}
