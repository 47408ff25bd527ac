import { z } from 'zod';

/**
 * model.json (written by `calibrate`) and projections.json (written by `simulate`): the contract between the
 * simulator and the stages after it (cost, report). Notation follows reference/modeling.md: D_{c,k} is the
 * service demand of class c at station k in seconds per completed request, Z_c the think time.
 */
export const MODEL_SCHEMA = 1;

const seconds = z.number().finite().min(0);
const share = z.number().finite().min(0).max(1);

/** What a station stands for; topology transforms route demand by role. */
export const StationRole = z.enum(['app', 'db-cpu', 'db-io', 'galera-repl', 'lb', 'sessions', 'network', 'search', 'generator', 'host']);
export type StationRole = z.infer<typeof StationRole>;

export const ModelStation = z.object({
  name: z.string().min(1),
  /** `queue`: requests wait for a server; `delay`: no waiting (a network hop, a fixed replication round trip). */
  kind: z.enum(['queue', 'delay']),
  /** m: identical servers (vCPUs) at the station as measured. */
  servers: z.number().int().min(1),
  role: StationRole,
  /** One copy per app replica; its demand is per request, wherever the request ran. */
  perReplica: z.boolean().optional(),
});
export type ModelStation = z.infer<typeof ModelStation>;

/** A request class: one step of the scenarios (searchPatient, recordVitals, …). */
export const RequestClass = z.object({
  name: z.string().min(1),
  kind: z.enum(['read', 'write']),
  /** Z_c: the user's think time before issuing this request. */
  thinkTimeSeconds: seconds,
  /** Share of all completed requests that were of this class (the mix). */
  mixShare: share,
  /** D_{c,k}: seconds of station k per completed request, summed over the station's copies (replicas, nodes). */
  demands: z.record(z.string(), seconds),
  bytesPerRequest: z.number().min(0).optional(),
  ioPerRequest: z.number().min(0).optional(),
});
export type RequestClass = z.infer<typeof RequestClass>;

/** The topology the run was measured on; transforms start from it. */
export const MeasuredTopology = z.object({
  replicas: z.number().int().min(1),
  dbKind: z.enum(['single', 'aurora', 'galera']),
  /** DB nodes that served the run (writer + readers for Aurora, all nodes for Galera). */
  dbNodes: z.number().int().min(1),
  galeraWriters: z.enum(['one', 'all']).optional(),
  vcpusApp: z.number().int().min(1),
  vcpusDb: z.number().int().min(1),
  sessions: z.enum(['sticky', 'shared']).optional(),
  /** Largest number of virtual users during the run. */
  maxUsers: z.number().min(0).optional(),
  /**
   * Set when every sampled process (replicas, database, load balancer and the load generator) ran on one machine
   * with this many vCPUs, as `loadlab up` does: they competed for the same cores.
   */
  hostVcpus: z.number().int().min(1).optional(),
  /** Threads that execute requests in one app replica: 1 for the reference target (one event loop). */
  appThreads: z.number().int().min(1).optional(),
});
export type MeasuredTopology = z.infer<typeof MeasuredTopology>;

export const ModelFit = z.object({
  windows: z.number().int().min(0),
  windowSeconds: z.number().min(0),
  /** R² of U_k(w) = U0_k + Σ_c X_c(w)·D_{c,k} per station. */
  r2: z.record(z.string(), z.number()),
  /** Root-mean-square residual per station, in busy servers. */
  rmsResidual: z.record(z.string(), z.number()),
  /** Condition number of the column-scaled design matrix [1, X_1 … X_C]; large means collinear classes. */
  conditionNumber: z.number(),
  /** (p90 − p10) / median of the total throughput over windows. */
  loadVariation: z.number(),
  warnings: z.array(z.string()),
});
export type ModelFit = z.infer<typeof ModelFit>;

export const Model = z
  .object({
    schema: z.literal(MODEL_SCHEMA),
    source: z.object({ runId: z.string(), scenario: z.string().optional() }),
    stations: z.array(ModelStation).min(1),
    classes: z.array(RequestClass).min(1),
    /** U0_k: background utilisation in busy servers (0.3 = 30% of one core), summed over the station's copies. */
    background: z.record(z.string(), z.number().min(0)),
    measured: MeasuredTopology,
    fit: ModelFit,
    /** p95/mean of each class's measured response time: MVA yields means, this carries the tail. */
    tail: z.object({ p95OverMean: z.record(z.string(), z.number().min(1)) }),
    /** What the database did besides CPU (src/model/db-facts.ts): I/O and, on Galera, replication. */
    database: z
      .object({
        /** Per class: InnoDB data reads and writes (I/O operations) and bytes written per request, all DB nodes. */
        io: z.record(z.string(), z.object({ reads: z.number().min(0), writes: z.number().min(0), bytesWritten: z.number().min(0) })),
        backgroundIoPerSecond: z.number().min(0),
        galera: z
          .object({
            conflictRate: z.number().min(0),
            replicatedBytesPerWrite: z.number().min(0),
            flowControlPaused: z.number().min(0),
            applyCostRatio: z.number().min(0).nullable(),
          })
          .optional(),
        warnings: z.array(z.string()),
      })
      .optional(),
    /** The statements that took the database's time during the run (from db.json), heaviest first. */
    statements: z
      .array(z.object({ text: z.string(), count: z.number(), seconds: z.number(), rowsExamined: z.number(), noIndexUsed: z.boolean() }))
      .default([]),
  })
  .superRefine((m, ctx) => {
    const names = new Set(m.stations.map((s) => s.name));
    if (names.size !== m.stations.length) ctx.addIssue({ code: 'custom', message: 'station names must be unique' });
    for (const c of m.classes) {
      for (const k of Object.keys(c.demands)) {
        if (!names.has(k)) ctx.addIssue({ code: 'custom', message: `class ${c.name}: demand at unknown station ${k}` });
      }
    }
    const mix = m.classes.reduce((s, c) => s + c.mixShare, 0);
    if (Math.abs(mix - 1) > 1e-3) ctx.addIssue({ code: 'custom', message: `mix shares sum to ${mix}, not 1` });
  });
export type Model = z.infer<typeof Model>;

/**
 * A deployment to project onto. Optional fields have defaults that src/model/topology.ts documents;
 * assumptions that no run measured (Galera conflicts, OpenSearch cost) are parameters here.
 */
export const TargetTopology = z.object({
  label: z.string().optional(),
  replicas: z.number().int().min(1),
  vcpusApp: z.number().int().min(1),
  /** sticky: sessions pinned to a replica (lumpy split for few users); shared: e.g. Redis sessions, even split. */
  sessions: z.enum(['sticky', 'shared']).optional(),
  db: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('single'), vcpus: z.number().int().min(1) }),
    z.object({
      kind: z.literal('aurora'),
      vcpus: z.number().int().min(1),
      readers: z.number().int().min(0),
      readerVcpus: z.number().int().min(1).optional(),
      readSplit: z.boolean().optional(),
    }),
    z.object({
      kind: z.literal('galera'),
      nodes: z.number().int().min(1),
      vcpus: z.number().int().min(1),
      writers: z.enum(['one', 'all']).optional(),
      commitDelaySeconds: seconds.optional(),
      conflictPerExtraWriter: share.optional(),
      applyCostRatio: z.number().min(0).optional(),
    }),
  ]),
  /**
   * Every process on one machine with these vCPUs, the load generator included — the machine a local run was
   * measured on. Used to validate the model against runs on that machine; a real deployment leaves it out.
   */
  host: z.object({ vcpus: z.number().int().min(1) }).optional(),
  search: z
    .object({
      kind: z.literal('opensearch'),
      nodes: z.number().int().min(1),
      vcpus: z.number().int().min(1),
      demandSeconds: seconds.optional(),
      appDemandFactor: share.optional(),
      dbDemandFactor: share.optional(),
      classes: z.array(z.string()).optional(),
    })
    .optional(),
});
export type TargetTopology = z.infer<typeof TargetTopology>;

export const SolverMethod = z.enum(['exact-mva', 'exact-load-dependent-mva', 'schweitzer-seidmann', 'open-erlang-c']);
export type SolverMethod = z.infer<typeof SolverMethod>;

export const ProjectedStation = z.object({
  name: z.string(),
  role: StationRole,
  kind: z.enum(['queue', 'delay']),
  servers: z.number().int().min(1),
  /** Identical copies sharing the station's visits (replicas, reader nodes). */
  copies: z.number().int().min(1),
});
export type ProjectedStation = z.infer<typeof ProjectedStation>;

export const ProjectionPoint = z.object({
  /** Closed load: users; open load: arrival rate (requests/s). The other is null. */
  users: z.number().nullable(),
  rate: z.number().nullable(),
  throughput: z.object({ total: z.number(), perClass: z.record(z.string(), z.number()) }),
  /** Mean response time per class; null when an open model is saturated. */
  responseTimeMean: z.record(z.string(), z.number().nullable()),
  /** Derived: mean × the class's measured p95/mean (see Projection.p95Method). */
  p95: z.record(z.string(), z.number().nullable()),
  /** Busy fraction of one copy's servers (0–1); for app replicas the busiest copy. */
  utilisation: z.record(z.string(), z.number()),
  bottleneck: z.string(),
  saturated: z.boolean(),
  method: SolverMethod,
  /** InnoDB data reads + writes per second at the database(s), from the measured I/O per request; null if not measured. */
  ioPerSecond: z.number().nullable().optional(),
});
export type ProjectionPoint = z.infer<typeof ProjectionPoint>;

export const Projection = z.object({
  schema: z.literal(MODEL_SCHEMA),
  source: z.object({ runId: z.string() }),
  topology: TargetTopology,
  description: z.string(),
  load: z.enum(['closed', 'open']),
  multiServer: z.string(),
  p95Method: z.string(),
  stations: z.array(ProjectedStation),
  points: z.array(ProjectionPoint),
  /** The station with the largest demand per server (per copy), and the throughput it caps. */
  bottleneck: z.object({ station: z.string(), demandPerServerSeconds: z.number(), maxThroughput: z.number() }),
  saturation: z.object({
    /** X_max = 1/D_max (requests/s). */
    maxThroughput: z.number(),
    /** N* = (D + Z)/D_max; null for open loads. */
    kneeUsers: z.number().nullable(),
    /** First projected load whose throughput reaches 90% of X_max; null if none did. */
    plateauAt: z.number().nullable(),
  }),
  slo: z
    .object({
      p95Seconds: z.number(),
      classes: z.array(z.string()),
      /** Largest users (closed) or rate (open) with every SLO class's p95 within the SLO. */
      withinSlo: z.number().nullable(),
      /** `beyond-grid`: the SLO still held at the largest projected load. */
      bound: z.enum(['within-grid', 'beyond-grid', 'never']),
    })
    .nullable(),
  assumptions: z.array(z.string()),
  warnings: z.array(z.string()),
});
export type Projection = z.infer<typeof Projection>;
