import type { WsrepSample } from '../core/resources.ts';

/** SHOW GLOBAL STATUS, keyed by lower-cased name (servers differ in case). */
export type StatusMap = Map<string, string>;

/**
 * Cumulative counters, reported as deltas. MariaDB 10.6+ no longer reports Innodb_rows_*, so the
 * handler counters (rows written, updated, deleted and read through indexes or scans, temporary
 * tables excluded) stand in for them there; MySQL and Aurora report both.
 */
export const COUNTERS = [
  'Questions',
  'Com_select',
  'Com_insert',
  'Com_update',
  'Com_delete',
  'Com_commit',
  'Com_rollback',
  'Innodb_rows_read',
  'Innodb_rows_inserted',
  'Innodb_rows_updated',
  'Innodb_rows_deleted',
  'Handler_write',
  'Handler_update',
  'Handler_delete',
  'Handler_read_key',
  'Handler_read_next',
  'Handler_read_rnd_next',
  'Rows_read',
  'Rows_sent',
  'Innodb_row_lock_waits',
  'Innodb_row_lock_time',
  'Innodb_buffer_pool_read_requests',
  'Innodb_buffer_pool_reads',
  'Innodb_data_reads',
  'Innodb_data_writes',
  'Innodb_data_read',
  'Innodb_data_written',
  'Innodb_data_fsyncs',
  'Innodb_os_log_written',
  'Created_tmp_disk_tables',
  'Created_tmp_tables',
  'Select_full_join',
  'Select_scan',
  'Slow_queries',
  'Bytes_received',
  'Bytes_sent',
  'Connections',
] as const;

/** Point-in-time values. */
export const GAUGES = ['Threads_running', 'Threads_connected', 'Uptime'] as const;
/** Gauges that count the probe's own connection, running its statement as it reads them. */
const SELF_COUNTED = new Set<string>(['Threads_running', 'Threads_connected']);

export function toStatusMap(rows: Record<string, unknown>[]): StatusMap {
  const m: StatusMap = new Map();
  for (const r of rows) if (typeof r.Variable_name === 'string') m.set(r.Variable_name.toLowerCase(), String(r.Value ?? ''));
  return m;
}

const num = (m: StatusMap, name: string): number | undefined => {
  const v = m.get(name.toLowerCase());
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
};

/**
 * A server restart (Uptime went back) or FLUSH STATUS starts counters again from zero; the value
 * since then is then the best estimate of the interval's delta.
 */
function delta(prev: StatusMap, cur: StatusMap, name: string, restarted: boolean): number | undefined {
  const c = num(cur, name);
  if (c === undefined) return undefined;
  const p = num(prev, name);
  if (p === undefined || restarted || c < p) return c;
  return c - p;
}

export function restartedBetween(prev: StatusMap, cur: StatusMap): boolean {
  const p = num(prev, 'Uptime');
  const c = num(cur, 'Uptime');
  return p !== undefined && c !== undefined && c < p;
}

/**
 * The `status` field of a db line: counter deltas and gauges, under the canonical names, without
 * the probe itself. `own` is the probe connection's session counters before and after (`before`
 * null when the connection is new): reading status scans a temporary table and sends rows, which
 * would otherwise show as a Com_select, Select_scan and Created_tmp_tables every second.
 */
export function statusDeltas(prev: StatusMap, cur: StatusMap, own?: { before: StatusMap | null; after: StatusMap }): Record<string, number> {
  const restarted = restartedBetween(prev, cur);
  const out: Record<string, number> = {};
  const empty: StatusMap = new Map();
  for (const name of COUNTERS) {
    const d = delta(prev, cur, name, restarted);
    if (d === undefined) continue;
    const mine = own ? (delta(own.before ?? empty, own.after, name, false) ?? 0) : 0;
    out[name] = Math.max(0, d - mine);
  }
  for (const name of GAUGES) {
    const v = num(cur, name);
    if (v !== undefined) out[name] = SELF_COUNTED.has(name) ? Math.max(0, v - 1) : v;
  }
  return out;
}

/** Names this server does not report at all (Aurora, MySQL and MariaDB versions differ). */
export function missingStatus(cur: StatusMap): string[] {
  return [...COUNTERS, ...GAUGES].filter((n) => num(cur, n) === undefined);
}

/** A MariaDB built with wsrep support lists wsrep_* even without a provider; only a loaded provider is Galera. */
export function isGalera(cur: StatusMap): boolean {
  return (cur.get('wsrep_provider_name') ?? '') !== '' || cur.has('wsrep_local_state_comment');
}

export function wsrepSample(prev: StatusMap, cur: StatusMap, seconds: number): WsrepSample | undefined {
  if (!isGalera(cur)) return undefined;
  const restarted = restartedBetween(prev, cur);
  const d = (name: string) => delta(prev, cur, name, restarted) ?? 0;
  const g = (name: string) => num(cur, name) ?? 0;
  const pausedNs = delta(prev, cur, 'wsrep_flow_control_paused_ns', restarted);
  const fromNs = pausedNs !== undefined && num(prev, 'wsrep_flow_control_paused_ns') !== undefined && seconds > 0;
  return {
    clusterSize: g('wsrep_cluster_size'),
    state: cur.get('wsrep_local_state_comment') ?? '',
    localState: num(cur, 'wsrep_local_state') ?? null,
    ready: cur.get('wsrep_ready') === 'ON',
    flowControlPaused: fromNs ? Math.min(1, (pausedNs as number) / 1e9 / seconds) : g('wsrep_flow_control_paused'),
    flowControlPausedFrom: fromNs ? 'ns-delta' : 'fraction',
    flowControlSent: d('wsrep_flow_control_sent'),
    flowControlRecv: d('wsrep_flow_control_recv'),
    certFailures: d('wsrep_local_cert_failures'),
    bfAborts: d('wsrep_local_bf_aborts'),
    replicated: d('wsrep_replicated'),
    replicatedBytes: d('wsrep_replicated_bytes'),
    received: d('wsrep_received'),
    receivedBytes: d('wsrep_received_bytes'),
    recvQueue: g('wsrep_local_recv_queue'),
    sendQueue: g('wsrep_local_send_queue'),
    certDepsDistance: g('wsrep_cert_deps_distance'),
  };
}

/** The sequence number of `domain` in a MariaDB GTID list such as `0-1-812,1-3-4`; 0 when absent. */
export function gtidSeq(list: string, domain = 0): number {
  for (const g of list.split(',')) {
    const [d, , seq] = g.trim().split('-');
    if (Number(d) === domain && seq !== undefined) return Number(seq);
  }
  return 0;
}
