import type { DbLine, ProcessLine } from '../core/resources.ts';
import { scaledConditionNumber } from './linalg.ts';
import { nnls } from './nnls.ts';

/**
 * The database facts the capacity model needs besides CPU, from a run's resources.ndjson (DB status counters and
 * process CPU each second) and timeline.ndjson (per-class completions each second), joined on the run clock `t`.
 *
 * I/O per request comes from the same regression as CPU demands (reference/modeling.md, "Estimating demands"): per
 * window w, rate_k(w) = background_k + Σ_c X_c(w) · coefficient_{c,k}, solved by non-negative least squares. Rates
 * are kept consistent on both sides: a class's throughput is its completions over the window's seconds, a node's
 * counter rate is its deltas over the seconds those deltas cover (a delta can span more than one second after a
 * missed tick), and the DB side is the sum of the nodes' rates. A node the probe could not reach (`up: false`) is
 * left out for that second rather than counted as idle; a node with no sample in a whole window adds nothing to it,
 * since it was down and did no I/O.
 */

export interface DbFactsInput {
  /** Group seconds into windows of this length (t / windowSeconds floored). */
  windowSeconds: number;
  /** Step lines of timeline.ndjson only. */
  timeline: readonly { t: number; step: string; count: number }[];
  db: readonly DbLine[];
  processes: readonly ProcessLine[];
  classes: readonly { name: string; kind: 'read' | 'write' }[];
  dbKind: 'single' | 'aurora' | 'galera';
  galeraWriters?: 'one' | 'all';
}

export interface IoPerRequest {
  ioReads: number;
  ioWrites: number;
  bytesWritten: number;
}

export interface GaleraFacts {
  /** (cert failures + BF aborts) / writesets replicated, over the run, all nodes. */
  conflictRate: number;
  /** Bytes replicated per writeset (one committed write transaction), over the run, all nodes. */
  replicatedBytesPerWrite: number;
  /** Mean fraction of time replication was paused by flow control, worst node. */
  flowControlPaused: number;
  /**
   * CPU seconds a non-writing node spends per replicated writeset, divided by the writer's CPU seconds per writeset
   * (single-writer runs only, null otherwise or when not estimable): the apply cost ratio the topology transform uses.
   */
  applyCostRatio: number | null;
}

export interface DbFacts {
  /** Per class: InnoDB data reads / writes (I/O operations) and bytes written per completed request, summed over DB nodes. */
  perClass: Record<string, IoPerRequest>;
  /** Background I/O per second not explained by requests (flushing, purge): data reads plus data writes, all nodes. */
  backgroundIoPerSecond: number;
  r2: IoPerRequest;
  galera?: GaleraFacts;
  warnings: string[];
}

/** The InnoDB counters behind each figure, under the server's own names. */
const IO_COUNTERS: Record<keyof IoPerRequest, string> = {
  ioReads: 'Innodb_data_reads',
  ioWrites: 'Innodb_data_writes',
  bytesWritten: 'Innodb_data_written',
};
/** Statements only the node clients write to executes; appliers apply row events and do not count them. */
const WRITE_STATEMENTS = ['Com_insert', 'Com_update', 'Com_commit'];
/** wsrep counters share the per-window store with status counters under these keys. */
const RECEIVED = 'wsrep:received';
const REPLICATED = 'wsrep:replicated';

/** A regression needs this many windows per unknown (as calibrate asks). */
const WINDOWS_PER_UNKNOWN = 3;
/** Below this relative spread of a regressor, its slope cannot be told apart from the background. */
const MIN_VARIATION = 0.2;
/** Above this condition number of the scaled design the per-class split is not identifiable. */
const MAX_CONDITION_NUMBER = 30;
/** I/O is burstier than CPU (the flusher writes in batches), so a lower R² passes before we warn. */
const MIN_R2 = 0.5;
/** An applier executing more than this share of the writer's write statements means the run had several writers. */
const SECOND_WRITER_SHARE = 0.1;

/** Counter deltas and the seconds they cover, for one node (or process) in one window. */
interface Span {
  sum: number;
  seconds: number;
}

interface Window {
  /** Distinct run-clock seconds seen in the window, from any source: its length for throughputs. */
  clock: Set<number>;
  completions: Map<string, number>;
  /** node → counter → span */
  counters: Map<string, Map<string, Span>>;
  /** process name → CPU seconds span */
  cpu: Map<string, Span>;
}

const add = (m: Map<string, Span>, key: string, sum: number, seconds: number) => {
  const s = m.get(key) ?? { sum: 0, seconds: 0 };
  s.sum += sum;
  s.seconds += seconds;
  m.set(key, s);
};
const rateOf = (s: Span | undefined) => (s && s.seconds > 0 ? s.sum / s.seconds : undefined);

function buildWindows(input: DbFactsInput): Map<number, Window> {
  const windows = new Map<number, Window>();
  const length = input.windowSeconds > 0 ? input.windowSeconds : 1;
  const at = (t: number) => {
    const w = Math.floor(t / length);
    let win = windows.get(w);
    if (!win) windows.set(w, (win = { clock: new Set(), completions: new Map(), counters: new Map(), cpu: new Map() }));
    win.clock.add(t);
    return win;
  };
  for (const l of input.timeline) {
    const win = at(l.t);
    win.completions.set(l.step, (win.completions.get(l.step) ?? 0) + l.count);
  }
  for (const l of input.db) {
    const win = at(l.t);
    if (!l.up || l.seconds <= 0) continue;
    let node = win.counters.get(l.node);
    if (!node) win.counters.set(l.node, (node = new Map()));
    for (const [name, v] of Object.entries(l.status)) add(node, name, v, l.seconds);
    if (l.wsrep) {
      add(node, RECEIVED, l.wsrep.received, l.seconds);
      add(node, REPLICATED, l.wsrep.replicated, l.seconds);
    }
  }
  for (const p of input.processes) {
    const win = at(p.t);
    // The line that reports a process gone covers only part of its second: its CPU is not a rate we can use.
    if (!p.alive || p.seconds <= 0) continue;
    add(win.cpu, p.name, p.cpuSeconds, p.seconds);
  }
  return windows;
}

/** (p90 − p10) / median: how much a regressor moves across windows. */
function spread(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const q = (f: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(f * (sorted.length - 1))))] ?? 0;
  const median = q(0.5);
  return median > 0 ? (q(0.9) - q(0.1)) / median : 0;
}

export function dbFacts(input: DbFactsInput): DbFacts {
  const warnings: string[] = [];
  const windows = [...buildWindows(input).entries()].sort((a, b) => a[0] - b[0]).map(([, w]) => w);
  const upLines = input.db.filter((l) => l.up && l.seconds > 0);
  const nodes = [...new Set(upLines.map((l) => l.node))].sort();
  if (input.db.length === 0) warnings.push('resources.ndjson has no DB samples: the DB probe did not run, so there are no DB facts; rerun with the DB probe enabled');
  else if (nodes.length === 0) warnings.push('every DB sample says the node was unreachable: there are no DB facts; check the DB probe’s credentials and the `error` of the db lines');

  const listed = new Set(input.classes.map((c) => c.name));
  const unlisted = [...new Set(input.timeline.filter((l) => l.count > 0 && !listed.has(l.step)).map((l) => l.step))];
  if (unlisted.length > 0) warnings.push(`the timeline has steps that are not classes (${unlisted.join(', ')}): their I/O is counted as background; list them as classes`);

  const io = ioFacts(input, windows, nodes, upLines, warnings);
  const galera = input.dbKind === 'galera' ? galeraFacts(input, windows, upLines, warnings) : undefined;
  return { ...io, ...(galera ? { galera } : {}), warnings };
}

function ioFacts(
  input: DbFactsInput, windows: readonly Window[], nodes: readonly string[], upLines: readonly DbLine[], warnings: string[],
): Pick<DbFacts, 'perClass' | 'backgroundIoPerSecond' | 'r2'> {
  const classes = input.classes.map((c) => c.name);
  const zero = (): IoPerRequest => ({ ioReads: 0, ioWrites: 0, bytesWritten: 0 });
  const perClass: Record<string, IoPerRequest> = Object.fromEntries(classes.map((c) => [c, zero()]));
  const r2 = zero();
  const background = zero();

  const usable = windows.filter((w) => w.counters.size > 0 && w.clock.size > 0);
  if (nodes.length > 0 && usable.length < WINDOWS_PER_UNKNOWN * (classes.length + 1)) {
    warnings.push(
      `only ${usable.length} windows with DB samples for ${classes.length} classes and a background: the per-class I/O is unreliable; ` +
        'use a longer run or shorter windows',
    );
  }
  const design = usable.map((w) => [1, ...classes.map((c) => (w.completions.get(c) ?? 0) / w.clock.size)]);
  if (usable.length > 0) {
    const idle = classes.filter((_, j) => design.every((row) => row[j + 1] === 0));
    if (idle.length > 0) warnings.push(`no completions of ${idle.join(', ')} while the DB was sampled: their I/O per request is set to 0`);
    const totals = design.map((row) => row.slice(1).reduce((a, b) => a + b, 0));
    const variation = spread(totals);
    const condition = scaledConditionNumber(design.map((row) => row.filter((_, j) => j === 0 || !idle.includes(classes[j - 1]!))));
    if (variation < MIN_VARIATION) {
      warnings.push(
        `total throughput varies by ${(variation * 100).toFixed(0)}% across windows: background I/O and I/O per request cannot be told apart; ` +
          'take DB facts from a ramped run (the capacity profile)',
      );
    } else if (condition > MAX_CONDITION_NUMBER) {
      warnings.push(
        `the per-class throughputs are nearly collinear (condition number ${Number.isFinite(condition) ? condition.toFixed(0) : '∞'}): ` +
          'the split of I/O between classes is not identifiable; take DB facts from a run whose phases vary the mix',
      );
    }
  }

  for (const figure of Object.keys(IO_COUNTERS) as (keyof IoPerRequest)[]) {
    const counter = IO_COUNTERS[figure];
    const reporting = new Set(upLines.filter((l) => counter in l.status).map((l) => l.node));
    if (nodes.length === 0) continue;
    if (reporting.size === 0) {
      warnings.push(
        `no DB node reports ${counter} (an external Aurora, for one, has no InnoDB data files to count): ${figure} per request is 0 here, ` +
          'not measured; take it from the provider’s storage metrics',
      );
      continue;
    }
    const silent = nodes.filter((n) => !reporting.has(n));
    if (silent.length > 0) warnings.push(`${silent.join(', ')} do(es) not report ${counter}: ${figure} per request counts only ${[...reporting].join(', ')}`);
    if (usable.length === 0) continue;
    const rates = usable.map((w) => [...w.counters.values()].reduce((s, node) => s + (rateOf(node.get(counter)) ?? 0), 0));
    const fit = nnls(design, rates);
    background[figure] = fit.coefficients[0] ?? 0;
    classes.forEach((c, j) => (perClass[c]![figure] = fit.coefficients[j + 1] ?? 0));
    r2[figure] = fit.r2;
    if (fit.r2 < MIN_R2 && rates.some((r) => r > 0)) {
      warnings.push(
        `${counter}: the per-class fit explains little of it (R² ${fit.r2.toFixed(2)}); background flushing is bursty, so try longer windows`,
      );
    }
  }
  return { perClass, backgroundIoPerSecond: background.ioReads + background.ioWrites, r2 };
}

interface NodeTotals {
  conflicts: number;
  replicated: number;
  replicatedBytes: number;
  received: number;
  pausedSeconds: number;
  seconds: number;
  /** Last `wsrep_flow_control_paused` of a node that reports only the server's since-FLUSH average. */
  pausedSinceFlush?: number;
  writeStatements: number;
}

function galeraFacts(input: DbFactsInput, windows: readonly Window[], upLines: readonly DbLine[], warnings: string[]): GaleraFacts | undefined {
  const totals = new Map<string, NodeTotals>();
  for (const l of [...upLines].sort((a, b) => a.t - b.t)) {
    const n = totals.get(l.node) ?? { conflicts: 0, replicated: 0, replicatedBytes: 0, received: 0, pausedSeconds: 0, seconds: 0, writeStatements: 0 };
    totals.set(l.node, n);
    n.writeStatements += WRITE_STATEMENTS.reduce((s, name) => s + (l.status[name] ?? 0), 0);
    const w = l.wsrep;
    if (!w) continue;
    n.conflicts += w.certFailures + w.bfAborts;
    n.replicated += w.replicated;
    n.replicatedBytes += w.replicatedBytes;
    n.received += w.received;
    if (w.flowControlPausedFrom === 'fraction') n.pausedSinceFlush = w.flowControlPaused;
    else {
      n.pausedSeconds += w.flowControlPaused * l.seconds;
      n.seconds += l.seconds;
    }
  }
  const wsrepNodes = [...new Set(upLines.filter((l) => l.wsrep).map((l) => l.node))].sort();
  if (wsrepNodes.length === 0) {
    if (upLines.length > 0) warnings.push('no DB sample has wsrep status although the run was on Galera: there are no Galera facts; check that the DB probe reads wsrep_% status');
    return undefined;
  }
  const all = wsrepNodes.map((n) => totals.get(n)!);
  const replicated = all.reduce((s, n) => s + n.replicated, 0);
  if (replicated === 0) warnings.push('no writeset was replicated during the run: the Galera conflict rate and bytes per write are 0, not measured; run a workload with writes');
  const fromFraction = wsrepNodes.filter((n) => totals.get(n)!.pausedSinceFlush !== undefined);
  if (fromFraction.length > 0) {
    warnings.push(
      `${fromFraction.join(', ')} report only wsrep_flow_control_paused, an average since the last FLUSH STATUS: their flow-control figure ` +
        'may cover more than this run; use a Galera that reports wsrep_flow_control_paused_ns',
    );
  }
  const paused = (n: NodeTotals) => Math.max(n.seconds > 0 ? n.pausedSeconds / n.seconds : 0, n.pausedSinceFlush ?? 0);
  return {
    conflictRate: replicated > 0 ? all.reduce((s, n) => s + n.conflicts, 0) / replicated : 0,
    replicatedBytesPerWrite: replicated > 0 ? all.reduce((s, n) => s + n.replicatedBytes, 0) / replicated : 0,
    flowControlPaused: Math.max(0, ...all.map(paused)),
    applyCostRatio: input.galeraWriters === 'all' ? null : applyCostRatio(input, windows, wsrepNodes, totals, warnings),
  };
}

/**
 * The writer's CPU serves reads too, and the two cannot be told apart from its counters, so its CPU per write comes
 * from a regression: writer CPU rate(w) = background + X_read(w)·d_read + X_write(w)·d_write (nnls), and the CPU it
 * spends on writes is d_write · X_write(w). Per writeset that is Σ_w d_write·X_write(w) / Σ_w replicated rate(w).
 * Appliers serve no clients in a single-writer cluster, but a regression on the received rate still keeps their idle
 * CPU (background threads, health checks) out of the apply cost, as the writer's background is kept out of its own.
 */
function applyCostRatio(
  input: DbFactsInput, windows: readonly Window[], wsrepNodes: readonly string[], totals: ReadonlyMap<string, NodeTotals>, warnings: string[],
): number | null {
  const notEstimable = (why: string) => {
    warnings.push(`the Galera apply cost ratio is not estimable: ${why}`);
    return null;
  };
  if (wsrepNodes.length < 2) return notEstimable('only one Galera node was sampled; run with two or more nodes');
  const writer = [...wsrepNodes].sort((a, b) => totals.get(b)!.writeStatements - totals.get(a)!.writeStatements)[0]!;
  const writerStatements = totals.get(writer)!.writeStatements;
  if (writerStatements === 0) return notEstimable('no node reports Com_insert, Com_update or Com_commit, so the writer is unknown');
  const appliers = wsrepNodes.filter((n) => n !== writer);
  const alsoWriting = appliers.filter((n) => totals.get(n)!.writeStatements > SECOND_WRITER_SHARE * writerStatements);
  if (alsoWriting.length > 0) {
    return notEstimable(`${alsoWriting.join(', ')} also executed write statements, so the run did not have a single writer; measure it with one writer`);
  }

  const kindOf = new Map(input.classes.map((c) => [c.name, c.kind]));
  const throughput = (w: Window, kind: 'read' | 'write') =>
    [...w.completions].reduce((s, [step, n]) => s + (kindOf.get(step) === kind ? n : 0), 0) / w.clock.size;
  const writerWindows = windows.filter((w) => rateOf(w.cpu.get(writer)) !== undefined && rateOf(w.counters.get(writer)?.get(REPLICATED)) !== undefined);
  if (writerWindows.length === 0) return notEstimable(`there are no CPU samples of process ${writer}; DB processes must be sampled under their node names`);
  if (writerWindows.length < WINDOWS_PER_UNKNOWN * 3) return notEstimable(`only ${writerWindows.length} windows sample the writer ${writer}; use a longer run or shorter windows`);
  const writes = writerWindows.map((w) => throughput(w, 'write'));
  if (spread(writes) < MIN_VARIATION) return notEstimable('the write throughput hardly varies, so the writer’s CPU per write cannot be separated from its background; use a ramped run');
  const writerFit = nnls(
    writerWindows.map((w, i) => [1, throughput(w, 'read'), writes[i]!]),
    writerWindows.map((w) => rateOf(w.cpu.get(writer))!),
  );
  const writeCpu = (writerFit.coefficients[2] ?? 0) * writes.reduce((a, b) => a + b, 0);
  const writesets = writerWindows.reduce((s, w) => s + rateOf(w.counters.get(writer)!.get(REPLICATED))!, 0);
  if (writesets <= 0) return notEstimable(`the writer ${writer} replicated no writesets`);
  if (writeCpu <= 0) return notEstimable(`no CPU of the writer ${writer} is attributable to writes`);
  const writerPerWriteset = writeCpu / writesets;

  // Appliers are pooled, each weighted by the writesets it received.
  let weighted = 0;
  let weight = 0;
  for (const node of appliers) {
    const ws = windows.filter((w) => rateOf(w.cpu.get(node)) !== undefined && rateOf(w.counters.get(node)?.get(RECEIVED)) !== undefined);
    const received = ws.map((w) => rateOf(w.counters.get(node)!.get(RECEIVED))!);
    if (ws.length < WINDOWS_PER_UNKNOWN * 2 || spread(received) < MIN_VARIATION) {
      warnings.push(`applier ${node} is left out of the apply cost ratio: too few windows with its CPU, or its received rate hardly varies`);
      continue;
    }
    const fit = nnls(received.map((r) => [1, r]), ws.map((w) => rateOf(w.cpu.get(node))!));
    weighted += (fit.coefficients[1] ?? 0) * totals.get(node)!.received;
    weight += totals.get(node)!.received;
  }
  if (weight === 0) return notEstimable('no applier has enough CPU samples with a varying received rate; sample the DB processes during a ramped run');
  return weighted / weight / writerPerWriteset;
}
