/**
 * Seeding throughput: `npx tsx test/bench/seed.bench.ts [patients]` (default 50,000).
 * Seeds a private MariaDB (1 GiB buffer pool), then, as the named alternative, seeds a smaller
 * population twice more, once through LOAD DATA LOCAL INFILE and once through multi-row INSERTs,
 * each into its own fresh database on the same server. Prints figures; asserts nothing.
 */
import mysql from 'mysql2/promise';
import type { DbLocation } from '../../src/core/db-url.ts';
import { startMariaDb } from '../../src/infra/mariadb.ts';
import { seedDatabase, type LoadMethod, type SeedStats } from '../../src/target/seed/load.ts';

const fmt = (n: number): string => Math.round(n).toLocaleString('en');
const patients = Number((process.argv[2] ?? '50000').replace(/[,_]/g, ''));
if (!Number.isSafeInteger(patients) || patients < 1) {
  console.error(`usage: npx tsx test/bench/seed.bench.ts [patients]   (got '${process.argv[2]}')`);
  process.exit(2);
}
const compareCount = Math.min(patients, 5000);

function report(label: string, s: SeedStats): void {
  console.log(`\n${label}: ${fmt(s.patients)} patients via ${s.method}`);
  for (const [table, rows] of Object.entries(s.rows)) console.log(`  ${table.padEnd(20)} ${fmt(rows).padStart(12)}`);
  console.log(`  ${'total'.padEnd(20)} ${fmt(s.totalRows).padStart(12)}`);
  console.log(
    `  ${s.seconds.toFixed(1)} s — ${fmt(s.patientsPerSecond)} patients/s, ${fmt(s.rowsPerSecond)} rows/s, ` +
      `${fmt(s.rows.obs / s.seconds)} obs rows/s`,
  );
}

const server = await startMariaDb({ bufferPool: '1G' });
try {
  console.log(`MariaDB ${server.port} (pid ${server.pid}), buffer pool 1G; seeding ${fmt(patients)} patients …`);
  const t0 = performance.now();
  const main = await seedDatabase(server.app, {
    patients,
    onProgress: (p) => console.log(`  ${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s  ${p.table} done (${fmt(p.rows)} rows)`),
  });
  report('main run', main);

  const admin = await mysql.createConnection(server.admin);
  const fresh = async (name: string): Promise<DbLocation> => {
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
    return { ...server.admin, database: name };
  };
  const results: Partial<Record<LoadMethod, SeedStats>> = {};
  for (const method of ['load-data', 'insert'] as const) {
    const s = await seedDatabase(await fresh(`cmp_${method.replace('-', '_')}`), { patients: compareCount, method });
    results[method] = s;
    report(`alternative (${method})`, s);
  }
  await admin.end();
  const ld = results['load-data'];
  const ins = results.insert;
  if (ld && ins) {
    console.log(
      `\nLOAD DATA LOCAL vs multi-row INSERT at ${fmt(compareCount)} patients: ` +
        `${ld.seconds.toFixed(1)} s vs ${ins.seconds.toFixed(1)} s — LOAD DATA is ${(ins.seconds / ld.seconds).toFixed(2)}× as fast`,
    );
  }
} finally {
  await server.stop();
}
