import type { Model, ModelStation, RequestClass, TargetTopology } from '../core/model.ts';
import { stickyHotShare } from './imbalance.ts';
import { HOST_STATION, type Network, type Station } from './network.ts';

/**
 * Topology transforms: from a model calibrated on one deployment to the queueing network of another
 * (reference/modeling.md, "Topologies to express"). Demands are first normalised to "each statement executed once
 * on one DB node", then routed to the target's stations by role and by the class's kind (read/write).
 *
 * Assumptions no run measures are parameters of the target topology with these defaults; every projection lists
 * the ones it used.
 */
export const TOPOLOGY_DEFAULTS = {
  /** Work to apply a replicated write on another node, relative to executing it: 1 = as costly (conservative). */
  applyCostRatio: 1,
  /** Galera commit: one replication round trip plus certification on a LAN, per write, when not measured. */
  commitDelaySeconds: 0.001,
  /** Galera with every node writing: certification-abort probability per write, per extra writer node. */
  conflictPerExtraWriter: 0.02,
  /** OpenSearch CPU per patient search (a name query on a small index). */
  searchDemandSeconds: 0.003,
  /** Share of a search's app demand that stays: parsing, calling OpenSearch, loading and serialising the hits. */
  searchAppDemandFactor: 0.5,
  /** Share of a search's DB demand that stays: fetching the hits by primary key. */
  searchDbDemandFactor: 0.1,
} as const;

/** Background utilisation inflates demand by 1/(1 − U0/m); capped so a mis-fit background cannot explode it. */
const MAX_BACKGROUND_INFLATION = 10;

export interface TopologyNetwork {
  network: Network;
  assumptions: string[];
  warnings: string[];
}

/** One station of the target and how much of each class's (normalised) demand lands on it. */
interface Route {
  station: Station;
  demandOf(cls: RequestClass, base: Readonly<Record<string, number>>): number;
  /** U0 at one copy, busy servers. */
  background: number;
}

const isDb = (s: ModelStation) => s.role === 'db-cpu' || s.role === 'db-io';

/** Which classes the OpenSearch what-if moves: the named ones, else read classes whose name says "search". */
export function searchClasses(model: Model, topology: TargetTopology): string[] {
  return topology.search?.classes ?? model.classes.filter((c) => c.kind === 'read' && /search/i.test(c.name)).map((c) => c.name);
}

export function buildNetwork(model: Model, topology: TargetTopology, users?: number): TopologyNetwork {
  const assumptions: string[] = [];
  const warnings: string[] = [];
  const m = model.measured;
  const measuredGalera = m.dbKind === 'galera' ? model.database?.galera : undefined;
  const measuredApply = measuredGalera?.applyCostRatio ?? undefined;
  const applyRatio = (topology.db.kind === 'galera' ? topology.db.applyCostRatio : undefined) ?? measuredApply ?? TOPOLOGY_DEFAULTS.applyCostRatio;
  if (measuredApply !== undefined && (topology.db.kind === 'galera' || m.dbNodes > 1)) {
    assumptions.push(`apply work of a replicated write on another node: ${measuredApply.toFixed(2)}× its execution, measured in the calibration run`);
  }
  // A multi-writer Galera run measured its own conflicts: spread them over its extra writers.
  const measuredConflict =
    measuredGalera && m.galeraWriters === 'all' && m.dbNodes > 1 ? measuredGalera.conflictRate / (m.dbNodes - 1) : undefined;

  // 1. Normalise: a multi-node DB measured the writes' apply work on every node; divide it out.
  const base = new Map(model.classes.map((c) => [c.name, { ...c.demands }]));
  if (m.dbNodes > 1) {
    const perWrite = 1 + (m.dbNodes - 1) * applyRatio;
    for (const c of model.classes) {
      if (c.kind !== 'write') continue;
      const d = base.get(c.name)!;
      for (const st of model.stations) if (isDb(st) && d[st.name] !== undefined) d[st.name]! /= perWrite;
    }
    assumptions.push(`measured DB demand of writes divided by ${perWrite.toFixed(2)}: apply work on ${m.dbNodes - 1} other node(s) at ${applyRatio}× execution`);
    if (m.dbKind === 'galera' && m.galeraWriters === 'all') assumptions.push('the measured write demands include the run’s own certification retries; they are not divided out');
  }

  // 2. What-if: patient search served by OpenSearch instead of the database and the replicas' local index.
  const search = topology.search;
  const moved = new Set(search ? searchClasses(model, topology) : []);
  if (search) {
    const appFactor = search.appDemandFactor ?? TOPOLOGY_DEFAULTS.searchAppDemandFactor;
    const dbFactor = search.dbDemandFactor ?? TOPOLOGY_DEFAULTS.searchDbDemandFactor;
    for (const name of moved) {
      const d = base.get(name);
      if (!d) continue;
      for (const st of model.stations) {
        const measured = d[st.name];
        if (measured === undefined) continue;
        if (st.role === 'app') d[st.name] = measured * appFactor;
        else if (isDb(st)) d[st.name] = measured * dbFactor;
        else if (st.role === 'search') d[st.name] = 0; // a local search index that OpenSearch replaces
      }
    }
    if (moved.size === 0) warnings.push('the OpenSearch what-if found no search classes: name them in topology.search.classes');
    assumptions.push(
      `OpenSearch serves ${[...moved].join(', ') || 'no class'}: ${search.demandSeconds ?? TOPOLOGY_DEFAULTS.searchDemandSeconds}s of search CPU per request; ` +
        `${appFactor * 100}% of their app demand and ${dbFactor * 100}% of their DB demand remain`,
    );
  }

  // 3. Route every measured station to the target's stations.
  const routes: Route[] = [];
  for (const st of model.stations) routes.push(...routeStation(model, topology, st, users, applyRatio, assumptions));
  if (search) {
    const demand = search.demandSeconds ?? TOPOLOGY_DEFAULTS.searchDemandSeconds;
    routes.push({
      station: { name: 'opensearch', role: 'search', kind: 'queue', servers: search.vcpus, copies: search.nodes },
      demandOf: (cls) => (moved.has(cls.name) ? demand : 0),
      background: 0,
    });
  }
  const db = topology.db;
  if (db.kind === 'galera' && db.nodes > 1 && !model.stations.some((s) => s.role === 'galera-repl')) {
    const delay = db.commitDelaySeconds ?? TOPOLOGY_DEFAULTS.commitDelaySeconds;
    routes.push({ station: { name: 'galera-repl', role: 'galera-repl', kind: 'delay', servers: 1, copies: 1 }, demandOf: (cls) => (cls.kind === 'write' ? delay : 0), background: 0 });
    assumptions.push(`Galera commit adds ${delay * 1000} ms (replication round trip and certification) per write; not measured`);
  }

  // 4. Multi-writer Galera: certification conflicts abort and retry writes, repeating their whole demand.
  let retry = 1;
  if (db.kind === 'galera' && db.nodes > 1 && (db.writers ?? 'one') === 'all') {
    const perWriter = db.conflictPerExtraWriter ?? measuredConflict ?? TOPOLOGY_DEFAULTS.conflictPerExtraWriter;
    const abort = Math.min(0.5, perWriter * (db.nodes - 1));
    retry = 1 / (1 - abort);
    const source = db.conflictPerExtraWriter !== undefined ? 'given' : measuredConflict !== undefined ? 'measured' : 'assumed';
    assumptions.push(`Galera with ${db.nodes} writers: ${(abort * 100).toFixed(1)}% of writes abort (error 1213) and retry (${source}), ×${retry.toFixed(3)} write demand`);
  }

  const network = topology.host ? shareHost(routes, model, topology.host.vcpus, retry, base, assumptions) : separateHosts(routes, model, retry, base);
  for (const r of routes) {
    if (!topology.host && r.background / r.station.servers > 0.5) warnings.push(`station ${r.station.name}: background load takes ${((r.background / r.station.servers) * 100).toFixed(0)}% of its servers`);
  }
  return { network, assumptions, warnings };
}

type BaseDemands = Map<string, Record<string, number>>;

/** Each station on its own servers: background load inflates its demand by 1/(1 − U0/m). */
function separateHosts(routes: readonly Route[], model: Model, retry: number, base: BaseDemands): Network {
  return {
    stations: routes.map((r) => r.station),
    classes: model.classes.map((cls) => ({
      name: cls.name,
      thinkTime: cls.thinkTimeSeconds,
      demands: routes.map((r) => {
        const inflation = Math.min(MAX_BACKGROUND_INFLATION, 1 / Math.max(1e-9, 1 - r.background / r.station.servers));
        return r.demandOf(cls, base.get(cls.name) ?? {}) * inflation * (cls.kind === 'write' ? retry : 1);
      }),
    })),
  };
}

/**
 * One machine runs everything, as on a local run: the replicas keep their own stations (each can use no more
 * servers than it has threads), and every other CPU — database, load balancer, session store, load generator —
 * becomes one `host` station. The solver gives the host the cores the replicas and the background leave free
 * (network.ts, SharedHost).
 */
function shareHost(routes: readonly Route[], model: Model, vcpus: number, retry: number, base: BaseDemands, assumptions: string[]): Network {
  const onHost = (r: Route) => r.station.kind === 'queue' && r.station.role !== 'app';
  const kept = routes.filter((r) => !onHost(r));
  const merged = routes.filter(onHost);
  const stations: Station[] = [...kept.map((r) => r.station), { name: HOST_STATION, role: 'host', kind: 'queue', servers: vcpus, copies: 1 }];
  const background = routes.reduce((u, r) => u + r.background * r.station.copies, 0);
  const demand = (cls: RequestClass, r: Route) => r.demandOf(cls, base.get(cls.name) ?? {}) * (cls.kind === 'write' ? retry : 1);
  assumptions.push(
    `one machine with ${vcpus} vCPUs runs every process, the load generator included: ${merged.map((r) => r.station.name).join(', ')} share the cores the replicas leave`,
  );
  return {
    stations,
    classes: model.classes.map((cls) => ({
      name: cls.name,
      thinkTime: cls.thinkTimeSeconds,
      demands: [...kept.map((r) => demand(cls, r)), merged.reduce((d, r) => d + demand(cls, r), 0)],
    })),
    sharedHost: {
      vcpus,
      station: stations.length - 1,
      appStations: kept.flatMap((r, k) => (r.station.role === 'app' ? [k] : [])),
      backgroundServers: background,
    },
  };
}

function routeStation(
  model: Model,
  topology: TargetTopology,
  st: ModelStation,
  users: number | undefined,
  applyRatio: number,
  assumptions: string[],
): Route[] {
  const m = model.measured;
  const own = (_cls: RequestClass, base: Readonly<Record<string, number>>) => base[st.name] ?? 0;
  const u0 = model.background[st.name] ?? 0;
  const db = topology.db;

  if (st.role === 'generator' && !topology.host) return [];
  if (st.role === 'app' || st.perReplica) {
    const threads = Math.min(m.appThreads ?? topology.vcpusApp, topology.host?.vcpus ?? Infinity);
    const servers = st.role !== 'app' ? st.servers : topology.host ? threads : topology.vcpusApp;
    const background = u0 / m.replicas;
    const N = topology.replicas;
    if (N === 1 || (topology.sessions ?? 'sticky') === 'shared') {
      return [{ station: { name: st.name, role: st.role, kind: st.kind, servers, copies: N }, demandOf: own, background }];
    }
    // Sticky sessions: the busiest replica carries the expected largest share of the sessions.
    const hot = users !== undefined ? stickyHotShare(users, N) : 1 / N;
    if (users === undefined) assumptions.push(`${st.name}: no user count, so the sticky split is taken as even`);
    return [
      { station: { name: `${st.name}#hot`, role: st.role, kind: st.kind, servers, copies: 1 }, demandOf: (c, b) => own(c, b) * hot, background },
      { station: { name: `${st.name}#others`, role: st.role, kind: st.kind, servers, copies: N - 1 }, demandOf: (c, b) => own(c, b) * (1 - hot), background },
    ];
  }

  if (st.role === 'galera-repl') {
    if (db.kind !== 'galera' || db.nodes < 2) return [];
    const fallback = db.commitDelaySeconds ?? TOPOLOGY_DEFAULTS.commitDelaySeconds;
    return [{ station: { ...stationOf(st), kind: 'delay' }, demandOf: (c, b) => (c.kind === 'write' ? own(c, b) || fallback : 0), background: 0 }];
  }

  if (!isDb(st)) return [{ station: stationOf(st), demandOf: own, background: u0 }];

  // DB stations: split by the class's kind. `read`/`write` are multipliers of the normalised demand.
  const background = u0 / m.dbNodes;
  const cpu = st.role === 'db-cpu';
  const servers = cpu ? db.vcpus : st.servers;
  const part = (suffix: string, copies: number, srv: number, read: number, write: number): Route => ({
    station: { name: `${st.name}${suffix}`, role: st.role, kind: st.kind, servers: srv, copies },
    demandOf: (c, b) => own(c, b) * (c.kind === 'write' ? write : read),
    background,
  });
  if (db.kind === 'single' || (db.kind === 'galera' && db.nodes === 1)) return [part('', 1, servers, 1, 1)];
  if (db.kind === 'aurora') {
    // Aurora's storage volume is shared by writer and readers; readers do not replay writes in SQL.
    if (!cpu) return [part('', 1, st.servers, 1, 1)];
    const split = (db.readSplit ?? false) && db.readers > 0;
    const routes = [part(':writer', 1, servers, split ? 0 : 1, 1)];
    if (split) {
      routes.push(part(':readers', db.readers, db.readerVcpus ?? db.vcpus, 1, 0));
      assumptions.push('reads split to Aurora readers: replica lag (it grows with the write rate) is not modelled; a read may miss a just-acknowledged write');
    }
    return routes;
  }
  // Galera: every node applies every write; with all nodes writing, reads and executions spread evenly. The apply
  // work on other nodes happens after certification, off the writer's path, but MVA can only charge it to the
  // write request itself: utilisation and capacity come out right, response times slightly pessimistic.
  const n = db.nodes;
  if ((db.writers ?? 'one') === 'all') return [part(':nodes', n, servers, 1, 1 + (n - 1) * applyRatio)];
  return [part(':primary', 1, servers, 1, 1), part(':backups', n - 1, servers, 0, (n - 1) * applyRatio)];
}

const stationOf = (st: ModelStation): Station => ({ name: st.name, role: st.role, kind: st.kind, servers: st.servers, copies: 1 });

/** vCPUs the topology runs on: the size `smallestTopology` ranks by (cost comes later, from src/cost). */
export function topologyVcpus(t: TargetTopology): number {
  const app = t.replicas * t.vcpusApp;
  const db = t.db.kind === 'aurora' ? t.db.vcpus + t.db.readers * (t.db.readerVcpus ?? t.db.vcpus) : t.db.kind === 'galera' ? t.db.nodes * t.db.vcpus : t.db.vcpus;
  return app + db + (t.search ? t.search.nodes * t.search.vcpus : 0);
}

export function describeTopology(t: TargetTopology): string {
  const app = `${t.replicas} replica${t.replicas > 1 ? 's' : ''} × ${t.vcpusApp} vCPU (${t.sessions ?? 'sticky'} sessions)`;
  const db =
    t.db.kind === 'single'
      ? `one DB × ${t.db.vcpus} vCPU`
      : t.db.kind === 'aurora'
        ? `Aurora writer × ${t.db.vcpus} vCPU + ${t.db.readers} reader(s)${t.db.readSplit ? ', reads split' : ''}`
        : `Galera ${t.db.nodes} nodes × ${t.db.vcpus} vCPU, ${(t.db.writers ?? 'one') === 'all' ? 'all nodes write' : 'one writer'}`;
  const search = t.search ? `, OpenSearch ${t.search.nodes} × ${t.search.vcpus} vCPU` : '';
  const host = t.host ? `, all on one ${t.host.vcpus}-vCPU machine with the load generator` : '';
  return `${t.label ? `${t.label}: ` : ''}${app}, ${db}${search}${host}`;
}
