import type { ResourceLine } from '../core/resources.ts';
import { mergeLists, type CapabilityLists } from './capabilities.ts';
import { DbProbe, type DbNodeTarget, type DbProbeOptions, type NodeSampler } from './db.ts';
import { measureUnit, warmUp } from './host-speed.ts';
import { ProcessProbe, type ProcessTarget } from './process.ts';

export type { CapabilityLists } from './capabilities.ts';
export type { DbNodeTarget } from './db.ts';
export type { ProcessTarget } from './process.ts';
export { dbJson, snapshotDb, type DbCapture } from './snapshot.ts';

export interface ProbeOptions {
  /**
   * Processes to sample besides the generator. A function is asked again every tick, so a
   * replica restarted by a fault (new pid) is followed. A DB node's server CPU is measured when a
   * process here has the node's name.
   */
  processes?: ProcessTarget[] | (() => ProcessTarget[]);
  dbNodes?: DbNodeTarget[];
  writeLine: (line: ResourceLine) => void;
  intervalMs?: number;
  /** The run clock's origin, a performance.now() value shared with the engine; `t` counts seconds from it. */
  clockStart?: number;
  /** This process, the load generator, which shares the machine with the target; false to leave it out. */
  generator?: ProcessTarget | false;
  db?: DbProbeOptions;
  /** Measure the machine's speed each second (a ~1 ms unit of work in this process); default true. */
  hostSpeed?: boolean;
}

export interface ProbeStats {
  ticks: number;
  /** Ticks missed because the timer fired more than an interval late (the event loop was blocked). */
  skippedTicks: number;
  /** Node samples not taken because that node's previous sample was still waiting for the server. */
  skippedDbSamples: number;
  writeErrors: number;
  lastWriteError?: string;
}

export interface Probes {
  /** Resolves once every node has answered (or failed) its baseline reading: start the load after it. */
  ready: Promise<void>;
  /** Takes a last, partial sample, waits for queries in flight and closes the connections. */
  stop(): Promise<ProbeStats>;
  stats(): ProbeStats;
  /** For db.json's available/unavailable lists; pass to dbJson(). */
  capabilities(): CapabilityLists;
}

/**
 * Starts sampling once per interval on boundaries of the run clock. Process readings are
 * synchronous and take microseconds; database queries are asynchronous, one in flight per node,
 * so a slow or hung node delays only its own lines.
 */
export function startProbes(opts: ProbeOptions): Probes {
  const intervalMs = opts.intervalMs ?? 1000;
  const clockStart = opts.clockStart ?? performance.now();
  const generator = opts.generator === false ? null : (opts.generator ?? { name: 'generator', role: 'generator', pid: process.pid });
  const listed = opts.processes ?? [];
  let lastListed: ProcessTarget[] = [];
  const targets = (): ProcessTarget[] => {
    try {
      lastListed = typeof listed === 'function' ? listed() : listed;
    } catch {
      // A state file caught mid-write: keep following the processes known a second ago.
    }
    return [...(generator ? [generator] : []), ...lastListed];
  };
  const procs = new ProcessProbe();
  const db = new DbProbe(opts.dbNodes ?? [], opts.db);
  const stats: ProbeStats = { ticks: 0, skippedTicks: 0, skippedDbSamples: 0, writeErrors: 0 };
  const inFlight = new Map<NodeSampler, Promise<void>>();

  const write = (line: ResourceLine) => {
    try {
      opts.writeLine(line);
    } catch (e) {
      // A full disk must not take the run down with it; the count tells the caller.
      stats.writeErrors++;
      stats.lastWriteError = (e as Error).message;
    }
  };

  /** Where each node's next delta begins: after a skipped sample it spans more than one tick. */
  const nodeWindowStart = new Map<NodeSampler, number>();
  const sampleNode = (s: NodeSampler, boundaryMs: number, emit = true): Promise<void> => {
    const t = Math.floor((nodeWindowStart.get(s) ?? boundaryMs) / 1000);
    nodeWindowStart.set(s, boundaryMs);
    const p = s
      .sample(t)
      .then((line) => {
        if (line && emit) write(line);
      })
      .catch(() => undefined)
      .finally(() => inFlight.delete(s));
    inFlight.set(s, p);
    return p;
  };

  const elapsed = () => performance.now() - clockStart;
  /** Start of the window the next sample closes, in run-clock ms. */
  let windowStart = Math.max(0, elapsed());
  procs.baseline(targets());
  if (opts.hostSpeed !== false) warmUp();
  // Baselines only: a node down now is reported by the first tick, for the second it covers.
  const ready = Promise.all(db.samplers.map((s) => sampleNode(s, windowStart, false))).then(() => undefined);

  const sampleAt = (boundaryMs: number) => {
    const t = Math.floor(windowStart / 1000);
    windowStart = boundaryMs;
    stats.ticks++;
    for (const line of procs.sample(targets(), t)) write(line);
    if (opts.hostSpeed !== false) {
      const u = measureUnit();
      write({ type: 'host', t, unitCpuMs: u.cpuMs, unitWallMs: u.wallMs });
    }
    for (const s of db.samplers) {
      if (inFlight.has(s)) stats.skippedDbSamples++;
      else void sampleNode(s, boundaryMs);
    }
  };

  let next = Math.max(1, Math.floor(elapsed() / intervalMs) + 1);
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const schedule = () => {
    timer = setTimeout(tick, Math.max(0, next * intervalMs - elapsed()));
    // The caller's stop() ends sampling; a forgotten probe must not keep the process alive.
    timer.unref();
  };
  const tick = () => {
    if (stopped) return;
    // A timer can fire a hair early; a late one has missed whole boundaries.
    const due = Math.max(next, Math.floor(elapsed() / intervalMs));
    stats.skippedTicks += due - next;
    sampleAt(due * intervalMs);
    next = due + 1;
    schedule();
  };
  schedule();

  noteServerCpu(opts.dbNodes ?? [], targets(), db);

  return {
    ready,
    async stop() {
      if (stopped) return { ...stats };
      stopped = true;
      clearTimeout(timer);
      await Promise.all(inFlight.values());
      const now = elapsed();
      // The last partial second, unless the last tick has just taken it.
      if (now - windowStart > Math.min(50, intervalMs / 4)) {
        sampleAt(now);
        await Promise.all(inFlight.values());
      }
      await db.close();
      return { ...stats };
    },
    stats: () => ({ ...stats }),
    capabilities: () => mergeLists(db.caps.lists()),
  };
}

function noteServerCpu(nodes: DbNodeTarget[], processes: ProcessTarget[], db: DbProbe): void {
  const local = new Set(processes.map((p) => p.name));
  for (const n of nodes) {
    if (local.has(n.node)) db.caps.ok(n.node, 'server CPU and memory');
    else db.caps.missing(n.node, 'server CPU and memory', 'not a process on this machine');
  }
}
