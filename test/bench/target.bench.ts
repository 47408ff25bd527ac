/**
 * Reference-target throughput and memory, driven by autocannon (16 connections, 10 s per case)
 * from this process while the target runs as its own process on the same 2 cores.
 * Run: npx tsx test/bench/target.bench.ts [patients]   — prints figures, asserts nothing.
 */
import autocannon from 'autocannon';
import mysql from 'mysql2/promise';
import { startMariaDb } from '../../src/infra/mariadb.ts';
import { seedDatabase } from '../../src/target/seed/load.ts';
import { fmt, login, spawnTarget, type TargetProcess } from './support.ts';

const patients = Number(process.argv[2] ?? 20_000);
const CONNECTIONS = 16;
const DURATION = 10;

type Req = { method: 'GET' | 'POST'; path: string; body?: string };

async function drive(t: TargetProcess, cookie: string, next: () => Req) {
  const result = await autocannon({
    url: t.url,
    connections: CONNECTIONS,
    duration: DURATION,
    headers: { cookie, 'content-type': 'application/json' },
    requests: [{ setupRequest: (req: autocannon.Request) => ({ ...req, ...next() }) }],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

function line(name: string, r: Awaited<ReturnType<typeof drive>>) {
  console.log(
    `${name.padEnd(34)} ${fmt(r.rps).padStart(7)} req/s   p50 ${fmt(r.p50, 1).padStart(6)} ms   p99 ${fmt(r.p99, 1).padStart(6)} ms   non-2xx ${r.non2xx}   errors ${r.errors}`,
  );
}

const db = await startMariaDb({ bufferPool: '1G' });
try {
  console.log(`seeding ${fmt(patients)} patients …`);
  await seedDatabase(db.app, { patients });
  const c = await mysql.createConnection(db.app);
  const [names] = await c.query<mysql.RowDataPacket[]>(
    'SELECT given_name, family_name FROM person_name WHERE person_id > 2 ORDER BY person_name_id LIMIT 2000',
  );
  const [pats] = await c.query<mysql.RowDataPacket[]>('SELECT p.uuid FROM person p JOIN patient pt ON pt.patient_id = p.person_id LIMIT 2000');
  await c.end();
  const terms = names.map((n) => `${String(n.given_name).slice(0, 3)} ${String(n.family_name).slice(0, 4)}`);
  const uuids = pats.map((p) => p.uuid as string);
  let i = 0;
  const pick = <T>(a: T[]) => a[i++ % a.length]!;

  const search: () => Req = () => ({ method: 'GET', path: `/openmrs/ws/rest/v1/patient?q=${encodeURIComponent(pick(terms))}&v=default&limit=10` });
  const vitals: () => Req = () => ({
    method: 'POST',
    path: '/openmrs/ws/rest/v1/encounter',
    body: JSON.stringify({
      patient: pick(uuids),
      encounterType: '67a71486-1a54-468f-ac3e-7091a9a79584',
      location: 'ba685651-ed3b-4e63-9b35-78893060758a',
      encounterProviders: [{ provider: '705f5791-07a7-44b8-932f-a81f3526fc98', encounterRole: '240b26f9-dd88-4172-823d-4a8bfeb7841f' }],
      obs: [
        ['5085', 120], ['5086', 80], ['5087', 72], ['5088', 36.8], ['5092', 98], ['5242', 16], ['5089', 64.5], ['5090', 170], ['1343', 26],
      ].map(([id, value]) => ({ concept: String(id).padEnd(36, 'A'), value })),
    }),
  });
  const health: () => Req = () => ({ method: 'GET', path: '/openmrs/health/started' });

  console.log(`\n${CONNECTIONS} connections, ${DURATION} s each, ${fmt(patients)} seeded patients, target and generator on the same 2 cores\n`);
  const rows: Record<string, Awaited<ReturnType<typeof drive>>> = {};
  const memory: string[] = [];
  for (const mode of ['local', 'db'] as const) {
    const t = await spawnTarget(db.app, ['--search', mode]);
    const idle = t.rssMiB();
    try {
      const cookie = await login(t.url);
      rows[`search (${mode})`] = await drive(t, cookie, search);
      line(`patient search, --search ${mode}`, rows[`search (${mode})`]!);
      if (mode === 'local') {
        rows.vitals = await drive(t, cookie, vitals);
        line('encounter POST (9 obs)', rows.vitals);
        rows.health = await drive(t, cookie, health);
        line('no-op health check (ceiling)', rows.health);
      }
      memory.push(`target RSS --search ${mode}: ${fmt(idle)} MiB after start, ${fmt(t.rssMiB())} MiB after load`);
    } finally {
      await t.stop();
    }
  }
  console.log('');
  for (const m of memory) console.log(m);
  console.log(`\nratio local-index search / SQL search: ${fmt(rows['search (local)']!.rps / rows['search (db)']!.rps, 2)}×`);
  console.log(`ratio encounter POST / no-op endpoint: ${fmt(rows.vitals!.rps / rows.health!.rps, 3)}×`);
} finally {
  await db.stop();
}
