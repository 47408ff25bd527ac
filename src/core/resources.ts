import { z } from 'zod';

/**
 * What the probes leave in the run directory: resources.ndjson (one line per second per sampled
 * process or database node) and db.json (statement digests and table sizes at start and end).
 *
 * Counters are deltas over `seconds` of wall time, which is about 1 but longer after a skipped tick
 * or a lost connection: divide by it for rates. `t` is the run-clock second the delta began in,
 * the same indexing as timeline.ndjson, so the two join on `t`.
 */
export const RESOURCES_SCHEMA = 1;

export const ProcessLine = z.object({
  type: z.literal('process'),
  t: z.number().int().min(0),
  name: z.string(),
  role: z.string(),
  pid: z.number().int(),
  /** false once, in the first second the process is found gone (or its pid reused); then it is not reported again. */
  alive: z.boolean(),
  seconds: z.number().min(0),
  /** utime + stime of the process itself (children excluded) over `seconds`. */
  cpuSeconds: z.number().min(0),
  rssMiB: z.number().min(0),
  threads: z.number().int().optional(),
});
export type ProcessLine = z.infer<typeof ProcessLine>;

/** Galera's view of one node. Counters are deltas like `status`; queues and distances are gauges. */
export const WsrepSample = z.object({
  clusterSize: z.number(),
  /** wsrep_local_state_comment: Synced, Donor/Desynced, Joining, … */
  state: z.string(),
  /** wsrep_local_state: 4 is Synced. */
  localState: z.number().nullable(),
  ready: z.boolean(),
  /** Fraction of `seconds` that replication was paused by flow control. */
  flowControlPaused: z.number(),
  /**
   * `ns-delta`: computed from wsrep_flow_control_paused_ns over this interval. `fraction`: the server's own
   * wsrep_flow_control_paused, which averages since the last FLUSH STATUS, not over this second.
   */
  flowControlPausedFrom: z.enum(['ns-delta', 'fraction']),
  flowControlSent: z.number(),
  flowControlRecv: z.number(),
  certFailures: z.number(),
  bfAborts: z.number(),
  replicated: z.number(),
  replicatedBytes: z.number(),
  received: z.number(),
  receivedBytes: z.number(),
  recvQueue: z.number(),
  sendQueue: z.number(),
  certDepsDistance: z.number(),
});
export type WsrepSample = z.infer<typeof WsrepSample>;

export const DbLine = z.object({
  type: z.literal('db'),
  t: z.number().int().min(0),
  node: z.string(),
  role: z.string(),
  /** false when the probe could not reach the node this second; `error` says why. */
  up: z.boolean(),
  seconds: z.number().min(0),
  /**
   * Global status: counter deltas (Questions, Com_*, Innodb_*, Handler_*, …) and gauges
   * (Threads_running, Threads_connected, Uptime) under the server's own names; a name the server
   * lacks is absent. The probe's own connection is left out of both where the server allows it
   * (db.json says where it did not).
   */
  status: z.record(z.string(), z.number()),
  wsrep: WsrepSample.optional(),
  /** Readers only: Seconds_Behind_Master; null while replication is stopped. */
  readerLagSeconds: z.number().nullable().optional(),
  /** Readers only: writer's gtid_binlog_pos minus reader's gtid_slave_pos (domain 0 seq_no); null when unknown. */
  readerLagTransactions: z.number().nullable().optional(),
  replica: z.object({ ioRunning: z.boolean(), sqlRunning: z.boolean() }).optional(),
  error: z.string().optional(),
});
export type DbLine = z.infer<typeof DbLine>;

/**
 * The machine's speed this second: the CPU time of a fixed unit of work, measured in the load generator. A unit
 * costing several times its usual CPU means the machine ran slow (a throttled or shared VM), whatever the load.
 */
export const HostLine = z.object({
  type: z.literal('host'),
  t: z.number().int().min(0),
  unitCpuMs: z.number().min(0),
  unitWallMs: z.number().min(0),
});
export type HostLine = z.infer<typeof HostLine>;

export const ResourceLine = z.discriminatedUnion('type', [ProcessLine, DbLine, HostLine]);
export type ResourceLine = z.infer<typeof ResourceLine>;

/** One row of performance_schema.events_statements_summary_by_digest, times converted to seconds. */
export const Digest = z.object({
  schema: z.string().nullable(),
  /** null for the overflow row that collects statements once the digest table is full. */
  digest: z.string().nullable(),
  /** Truncated to 500 characters. */
  digest_text: z.string().nullable(),
  count_star: z.number(),
  sum_timer_wait_seconds: z.number(),
  max_timer_wait_seconds: z.number(),
  sum_lock_time_seconds: z.number(),
  sum_errors: z.number(),
  sum_rows_examined: z.number(),
  sum_rows_sent: z.number(),
  sum_rows_affected: z.number(),
  sum_no_index_used: z.number(),
  sum_no_good_index_used: z.number(),
  sum_created_tmp_tables: z.number(),
  sum_created_tmp_disk_tables: z.number(),
  sum_select_full_join: z.number(),
  sum_select_scan: z.number(),
  sum_sort_rows: z.number(),
});
export type Digest = z.infer<typeof Digest>;

/** information_schema.tables for the application database; table_rows is InnoDB's estimate, not COUNT(*). */
export const TableSize = z.object({
  table_name: z.string(),
  engine: z.string().nullable(),
  table_rows: z.number().nullable(),
  data_length: z.number(),
  index_length: z.number(),
  data_free: z.number(),
});
export type TableSize = z.infer<typeof TableSize>;

export const NodeSnapshot = z.object({
  node: z.string(),
  role: z.string(),
  up: z.boolean(),
  error: z.string().optional(),
  /** Top statements by total time since the server started (or digests were reset); null when unavailable. */
  digests: z.array(Digest).nullable(),
  tables: z.array(TableSize).nullable(),
});
export type NodeSnapshot = z.infer<typeof NodeSnapshot>;

export const SnapshotAt = z.object({ at: z.string(), nodes: z.array(NodeSnapshot) });
export type SnapshotAt = z.infer<typeof SnapshotAt>;

export const DB_SNAPSHOT_SCHEMA = 1;

export const DbSnapshot = z.object({
  schema: z.literal(DB_SNAPSHOT_SCHEMA),
  start: SnapshotAt.nullable(),
  end: SnapshotAt.nullable(),
  /** Per node: the top statements by time spent between start and end (end minus start). */
  duringRun: z.record(z.string(), z.array(Digest)).default({}),
  /** What the probes could measure, as "node: what". */
  available: z.array(z.string()),
  /** What they could not, as "node: what (why)", e.g. "db-1: statement digests (performance_schema is off)". */
  unavailable: z.array(z.string()),
});
export type DbSnapshot = z.infer<typeof DbSnapshot>;
