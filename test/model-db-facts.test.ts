import { describe, expect, it } from 'vitest';
import type { DbLine, ProcessLine, WsrepSample } from '../src/core/resources.ts';
import { dbFacts, type DbFactsInput } from '../src/model/db-facts.ts';
import { normal, seededRandom } from './model-fixture.ts';

const classes = [
  { name: 'searchPatient', kind: 'read' },
  { name: 'openChart', kind: 'read' },
  { name: 'recordVitals', kind: 'write' },
] as const;
// True I/O per request and background per second, summed over nodes.
const truth: Record<string, { ioReads: number; ioWrites: number; bytesWritten: number }> = {
  searchPatient: { ioReads: 2, ioWrites: 0, bytesWritten: 0 },
  openChart: { ioReads: 5, ioWrites: 0.5, bytesWritten: 4_000 },
  recordVitals: { ioReads: 1, ioWrites: 6, bytesWritten: 40_000 },
};
const background = { ioReads: 3, ioWrites: 10, bytesWritten: 200_000 };

interface Second {
  t: number;
  counts: number[];
}

/** Per-second completions whose per-class rates change every 5-second window, so the classes can be told apart. */
function seconds(count: number, seed = 11): Second[] {
  const random = seededRandom(seed);
  let rates = [0, 0, 0];
  return Array.from({ length: count }, (_, t) => {
    if (t % 5 === 0) rates = [5 + 40 * random(), 2 + 25 * random(), 1 + 15 * random()];
    return { t, counts: rates.map((r) => Math.max(0, Math.round(r + normal(random)))) };
  });
}

const timelineOf = (secs: readonly Second[]): DbFactsInput['timeline'] =>
  secs.flatMap((s) => classes.map((c, i) => ({ t: s.t, step: c.name, count: s.counts[i]! })));

const dbLine = (t: number, node: string, status: Record<string, number>, extra: Partial<DbLine> = {}): DbLine => ({
  type: 'db', t, node, role: 'mariadb', up: true, seconds: 1, status, ...extra,
});
const processLine = (t: number, name: string, cpuSeconds: number): ProcessLine => ({
  type: 'process', t, name, role: 'galera', pid: 100, alive: true, seconds: 1, cpuSeconds, rssMiB: 500,
});

/** InnoDB counters of two nodes (writer and reader) splitting the true I/O 70/30, with 2% noise. */
function ioLines(secs: readonly Second[], seed = 5): DbLine[] {
  const random = seededRandom(seed);
  return secs.flatMap((s) => {
    const total = (f: keyof typeof background) => background[f] + classes.reduce((sum, c, i) => sum + s.counts[i]! * truth[c.name]![f], 0);
    return (
      [
        ['db-1', 0.7],
        ['db-2', 0.3],
      ] as const
    ).map(([node, share]) => {
      const noisy = (f: keyof typeof background) => Math.round(total(f) * share * (1 + 0.02 * normal(random)));
      return dbLine(s.t, node, {
        Innodb_data_reads: noisy('ioReads'),
        Innodb_data_writes: noisy('ioWrites'),
        Innodb_data_written: noisy('bytesWritten'),
        Com_select: 10,
      });
    });
  });
}

const base = (secs: readonly Second[], db: DbLine[]): DbFactsInput => ({
  windowSeconds: 5,
  timeline: timelineOf(secs),
  db,
  processes: [],
  classes,
  dbKind: 'aurora',
});

const within = (actual: number, expected: number, tolerance: number) =>
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance * Math.max(Math.abs(expected), 1e-9));

describe('DB facts: I/O per request', () => {
  it('recovers known per-class I/O rates and the background from windows with varying per-class throughputs', () => {
    const secs = seconds(600);
    const facts = dbFacts(base(secs, ioLines(secs)));
    for (const c of classes) {
      for (const f of ['ioReads', 'ioWrites', 'bytesWritten'] as const) {
        const expected = truth[c.name]![f];
        const got = facts.perClass[c.name]![f];
        if (expected === 0) expect(got).toBeLessThan(0.05 * (f === 'bytesWritten' ? 1000 : 1));
        else within(got, expected, 0.05);
      }
    }
    within(facts.backgroundIoPerSecond, background.ioReads + background.ioWrites, 0.15);
    expect(facts.r2.ioReads).toBeGreaterThan(0.95);
    expect(facts.r2.ioWrites).toBeGreaterThan(0.95);
    expect(facts.galera).toBeUndefined();
    expect(facts.warnings).toEqual([]);
  });

  it('skips a node that is down for a second, and uses the delta that then covers two seconds', () => {
    const secs = seconds(600);
    const clean = dbFacts(base(secs, ioLines(secs)));
    const lines = ioLines(secs);
    // db-2 unreachable at t = 100: the probe reports it down, with whatever it last held, and its next delta spans 2 s.
    const down = lines.findIndex((l) => l.node === 'db-2' && l.t === 100);
    const next = lines.findIndex((l) => l.node === 'db-2' && l.t === 101);
    const merged = Object.fromEntries(Object.entries(lines[next]!.status).map(([k, v]) => [k, v + (lines[down]!.status[k] ?? 0)]));
    lines[next] = { ...lines[next]!, seconds: 2, status: merged };
    lines[down] = { ...lines[down]!, up: false, error: 'connect ECONNREFUSED', status: { Innodb_data_reads: 1e9, Innodb_data_writes: 1e9, Innodb_data_written: 1e12 } };
    const facts = dbFacts(base(secs, lines));
    expect(facts.warnings).toEqual([]);
    for (const c of classes) {
      for (const f of ['ioReads', 'ioWrites', 'bytesWritten'] as const) {
        within(facts.perClass[c.name]![f], clean.perClass[c.name]![f], 0.02);
        if (truth[c.name]![f] > 0) within(facts.perClass[c.name]![f], truth[c.name]![f], 0.05);
      }
    }
  });

  it('warns, and does not throw, when counters are missing, windows are few or there is no data at all', () => {
    const secs = seconds(600);
    // An external Aurora: statement counters, no InnoDB data files.
    const aurora = secs.flatMap((s) => [dbLine(s.t, 'writer', { Com_select: 40, Questions: 60 })]);
    const facts = dbFacts(base(secs, aurora));
    for (const counter of ['Innodb_data_reads', 'Innodb_data_writes', 'Innodb_data_written']) {
      expect(facts.warnings.some((w) => w.includes(`no DB node reports ${counter}`))).toBe(true);
    }
    expect(facts.perClass.recordVitals).toEqual({ ioReads: 0, ioWrites: 0, bytesWritten: 0 });

    // One node of two lacks the counters: the figures count the other and say so.
    const partial = ioLines(secs).map((l) => (l.node === 'db-2' ? { ...l, status: { Com_select: 10 } } : l));
    expect(dbFacts(base(secs, partial)).warnings.some((w) => w.startsWith('db-2 do(es) not report Innodb_data_reads'))).toBe(true);

    const short = seconds(10);
    expect(dbFacts(base(short, ioLines(short))).warnings.some((w) => w.includes('only 2 windows'))).toBe(true);

    const empty = dbFacts({ windowSeconds: 5, timeline: [], db: [], processes: [], classes, dbKind: 'galera' });
    expect(empty.warnings.some((w) => w.includes('no DB samples'))).toBe(true);
    expect(empty.galera).toBeUndefined();

    const noWsrep = dbFacts({ ...base(secs, ioLines(secs)), dbKind: 'galera' });
    expect(noWsrep.galera).toBeUndefined();
    expect(noWsrep.warnings.some((w) => w.includes('no DB sample has wsrep status'))).toBe(true);

    const unreachable = dbFacts(base(secs, ioLines(secs).map((l) => ({ ...l, up: false }))));
    expect(unreachable.warnings.some((w) => w.includes('unreachable'))).toBe(true);
  });
});

const wsrep = (over: Partial<WsrepSample>): WsrepSample => ({
  clusterSize: 3, state: 'Synced', localState: 4, ready: true, flowControlPaused: 0, flowControlPausedFrom: 'ns-delta',
  flowControlSent: 0, flowControlRecv: 0, certFailures: 0, bfAborts: 0, replicated: 0, replicatedBytes: 0,
  received: 0, receivedBytes: 0, recvQueue: 0, sendQueue: 0, certDepsDistance: 1, ...over,
});

// Single-writer Galera: db-1 takes all clients; every write completion commits 1.5 writesets on average.
const WRITESETS_PER_WRITE = 1.5;
const BYTES_PER_WRITESET = 1_200;
const writerCpu = { background: 0.02, read: 0.004, write: 0.012 };
const applierCpu = { background: 0.01, perWriteset: 0.002 };
// Writer CPU per writeset = 0.012 / 1.5 = 0.008; apply = 0.002 per writeset: ratio 0.25.
const TRUE_APPLY_RATIO = applierCpu.perWriteset / (writerCpu.write / WRITESETS_PER_WRITE);

function galeraRun(secs: readonly Second[], seed = 3): { db: DbLine[]; processes: ProcessLine[] } {
  const random = seededRandom(seed);
  const db: DbLine[] = [];
  const processes: ProcessLine[] = [];
  for (const s of secs) {
    const reads = s.counts[0]! + s.counts[1]!;
    const writes = s.counts[2]!;
    const writesets = Math.round(writes * WRITESETS_PER_WRITE);
    const conflicts = s.t % 7 === 0 ? 1 : 0;
    db.push(
      dbLine(s.t, 'db-1', { Com_insert: writes * 2, Com_update: writes, Com_commit: writesets }, {
        role: 'galera',
        wsrep: wsrep({ replicated: writesets, replicatedBytes: writesets * BYTES_PER_WRITESET, certFailures: conflicts, bfAborts: s.t % 11 === 0 ? 1 : 0 }),
      }),
    );
    processes.push(processLine(s.t, 'db-1', (writerCpu.background + reads * writerCpu.read + writes * writerCpu.write) * (1 + 0.01 * normal(random))));
    for (const node of ['db-2', 'db-3']) {
      // db-3 is the slow node: paused by flow control 20% of the time in every tenth second.
      const paused = node === 'db-3' && s.t % 10 === 0 ? 0.2 : 0;
      db.push(dbLine(s.t, node, { Com_insert: 0, Com_update: 0, Com_commit: 0 }, { role: 'galera', wsrep: wsrep({ received: writesets, receivedBytes: writesets * BYTES_PER_WRITESET, flowControlPaused: paused }) }));
      processes.push(processLine(s.t, node, (applierCpu.background + writesets * applierCpu.perWriteset) * (1 + 0.01 * normal(random))));
    }
  }
  return { db, processes };
}

describe('DB facts: Galera', () => {
  const secs = seconds(600);
  const run = galeraRun(secs);
  const input: DbFactsInput = { ...base(secs, run.db), processes: run.processes, dbKind: 'galera', galeraWriters: 'one' };

  it('computes the conflict rate, replicated bytes per writeset and worst flow-control pause from known counters', () => {
    const facts = dbFacts(input);
    const replicated = run.db.reduce((s, l) => s + (l.wsrep?.replicated ?? 0), 0);
    const conflicts = run.db.reduce((s, l) => s + (l.wsrep ? l.wsrep.certFailures + l.wsrep.bfAborts : 0), 0);
    expect(replicated).toBeGreaterThan(0);
    expect(facts.galera!.conflictRate).toBeCloseTo(conflicts / replicated, 12);
    expect(facts.galera!.replicatedBytesPerWrite).toBeCloseTo(BYTES_PER_WRITESET, 9);
    expect(facts.galera!.flowControlPaused).toBeCloseTo(0.02, 12); // 0.2 of 1 s in every 10th second
  });

  it('recovers the apply cost ratio from synthetic CPU, separating the writer’s read CPU by regression', () => {
    const facts = dbFacts(input);
    expect(facts.galera!.applyCostRatio).not.toBeNull();
    within(facts.galera!.applyCostRatio!, TRUE_APPLY_RATIO, 0.05);
    expect(facts.warnings.filter((w) => w.includes('apply cost'))).toEqual([]);
  });

  it('gives no apply cost ratio for multi-writer runs, and says why when it cannot estimate one', () => {
    expect(dbFacts({ ...input, galeraWriters: 'all' }).galera!.applyCostRatio).toBeNull();

    const noCpu = dbFacts({ ...input, processes: [] });
    expect(noCpu.galera!.applyCostRatio).toBeNull();
    expect(noCpu.warnings.some((w) => w.includes('no CPU samples of process db-1'))).toBe(true);

    const twoWriters = run.db.map((l) => (l.node === 'db-2' ? { ...l, status: { ...l.status, Com_insert: 5 } } : l));
    const multi = dbFacts({ ...input, db: twoWriters });
    expect(multi.galera!.applyCostRatio).toBeNull();
    expect(multi.warnings.some((w) => w.includes('db-2 also executed write statements'))).toBe(true);
  });
});
