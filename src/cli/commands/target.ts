import { mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDbUrl, type DbLocation } from '../../core/db-url.ts';
import { UsageError } from '../../core/errors.ts';
import { isLoopbackHost } from '../../core/loopback.ts';
import { startMariaDb, type MariaDbServer } from '../../infra/mariadb.ts';
import { seedDatabase } from '../../target/seed/load.ts';
import { startTarget } from '../../target/target.ts';
import { parseFactors, positiveInt } from '../options.ts';

export interface TargetCommandOptions {
  db: string;
  port?: string;
  host?: string;
  replica?: string;
  sessions?: string;
  search?: string;
  cache?: string;
  slowdown?: string;
  pool?: string;
  patients?: string;
  allowRemote?: boolean;
}

/**
 * `loadlab target`: one reference-target replica in the foreground until Ctrl-C.
 * `--db private` starts a throw-away MariaDB beside it (seeded with --patients) for a quick look.
 */
export async function targetCommand(o: TargetCommandOptions): Promise<void> {
  const search = o.search ?? 'local';
  if (search !== 'local' && search !== 'db') throw new UsageError(`--search: '${search}' is neither 'local' nor 'db'`);
  if (o.cache !== undefined && o.cache !== 'local' && o.cache !== 'shared') {
    throw new UsageError(`--cache: '${o.cache}' is neither 'local' nor 'shared'`);
  }
  const sessions = o.sessions ?? 'memory';
  if (sessions !== 'memory' && !sessions.startsWith('redis://')) {
    throw new UsageError(`--sessions: '${sessions}' is neither 'memory' nor a redis:// URL`);
  }
  const host = o.host ?? '127.0.0.1';
  if (!isLoopbackHost(host) && !o.allowRemote) {
    throw new UsageError(`--host ${host} is not a loopback address`, 'pass --allow-remote to listen beyond this machine');
  }
  // Ctrl-C may come while the private database starts or seeds: remember it and clean up either way.
  let interrupted = false;
  let wake = () => {};
  const onSignal = () => {
    interrupted = true;
    wake();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let privateDb: MariaDbServer | undefined;
  let target: Awaited<ReturnType<typeof startTarget>> | undefined;
  try {
    let db: DbLocation;
    if (o.db === 'private') {
      const dir = resolve('.loadlab', `target-db-${process.pid}`);
      mkdirSync(dir, { recursive: true });
      console.error(`starting a private MariaDB in ${dir} …`);
      privateDb = await startMariaDb({ dir });
      db = privateDb.app;
      const patients = positiveInt(o.patients, '--patients', 1000);
      if (patients > 0 && !interrupted) {
        const stats = await seedDatabase(db, { patients });
        console.error(`seeded ${patients.toLocaleString('en')} patients in ${stats.seconds.toFixed(1)} s`);
      }
    } else {
      db = parseDbUrl(o.db);
    }
    if (interrupted) return;
    target = await startTarget({
      db,
      port: positiveInt(o.port, '--port', 8080),
      host,
      replica: o.replica,
      sessions,
      search,
      cache: o.cache as 'local' | 'shared' | undefined,
      slowdown: parseFactors(o.slowdown, '--slowdown'),
      poolSize: positiveInt(o.pool, '--pool', 20),
    });
    const ctx = target.context;
    console.log(`reference target ${ctx.replica} listening on ${target.url} (search: ${ctx.search.mode}, metadata cache: ${ctx.cacheMode}, sessions: ${ctx.sessions.kind})`);
    console.log(`try: curl -u admin:Admin123 '${target.url}/ws/rest/v1/patient?q=ma&v=default'`);
    if (!interrupted) await new Promise<void>((done) => (wake = done));
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await target?.close();
    if (privateDb) {
      await privateDb.stop();
      rmSync(privateDb.dir, { recursive: true, force: true });
    }
    console.error('stopped');
  }
}
