import mysql from 'mysql2/promise';
import type { DbLocation } from '../core/db-url.ts';
import type { DbLine } from '../core/resources.ts';
import { Capabilities, describeSqlError, isConnectionError } from './capabilities.ts';
import { gtidSeq, isGalera, missingStatus, statusDeltas, wsrepSample, type StatusMap } from './db-status.ts';
import { readStatus, type StatusReading, type StatusSource } from './status-read.ts';

/**
 * One database node to sample. `role` is free text, but 'reader' marks an asynchronous replica
 * whose lag is measured against `writer` (a node name; by default the node whose role is 'writer').
 * `db` should be an administrative user: SHOW SLAVE STATUS needs REPLICATION CLIENT / SLAVE MONITOR.
 */
export interface DbNodeTarget {
  node: string;
  role: string;
  db: DbLocation;
  writer?: string;
}

export interface DbProbeOptions {
  connectTimeoutMs?: number;
  /**
   * mysql2 destroys a connection whose statement outlives this and the next tick reconnects: a
   * stopped (SIGSTOP) server yields `up: false` after this long instead of hanging the probe.
   */
  queryTimeoutMs?: number;
}

type Rows = mysql.RowDataPacket[];

/**
 * One node's persistent connection and previous reading. The connection is opened lazily and
 * dropped on any connection-level error; a down node yields `up: false` lines, never an exception.
 * What its own connection did (session status) is subtracted from the server's counters, so the
 * probe does not show up as application load.
 */
export class NodeSampler {
  private conn: mysql.Connection | null = null;
  private connecting: Promise<mysql.Connection> | null = null;
  private previous: { status: StatusMap; own: StatusMap | null; generation: number; at: number } | null = null;
  private source: StatusSource | undefined;
  /** Counts connections, so that session counters are known to belong to the same one. */
  private generation = 0;

  constructor(
    readonly target: DbNodeTarget,
    private readonly caps: Capabilities,
    private readonly writerOf: () => NodeSampler | undefined,
    private readonly timeouts: Required<DbProbeOptions>,
  ) {}

  private connection(): Promise<mysql.Connection> {
    if (this.conn) return Promise.resolve(this.conn);
    // A reader's sample may ask the writer's connection while the writer's own sample opens it.
    this.connecting ??= (async () => {
      try {
        // No default database: the probe only reads server-wide status, which a missing schema must not stop.
        const { database: _database, ...where } = this.target.db;
        const c = await mysql.createConnection({ ...where, connectTimeout: this.timeouts.connectTimeoutMs });
        c.on('error', () => {
          if (this.conn === c) this.conn = null;
        });
        this.conn = c;
        this.generation++;
        return c;
      } finally {
        this.connecting = null;
      }
    })();
    return this.connecting;
  }

  private drop(): void {
    const c = this.conn;
    this.conn = null;
    c?.destroy();
  }

  private async query(sql: string): Promise<Rows> {
    const c = await this.connection();
    try {
      const [rows] = await c.query<Rows>({ sql, timeout: this.timeouts.queryTimeoutMs });
      return rows;
    } catch (e) {
      if (isConnectionError(e)) this.drop();
      throw e;
    }
  }

  private async variable(name: string): Promise<string | null> {
    const rows = await this.query(`SHOW GLOBAL VARIABLES LIKE '${name}'`);
    const v = rows[0]?.Value;
    return v === undefined || v === null ? null : String(v);
  }

  /** The writer's binlog position, or null when it cannot be read right now. */
  async gtidBinlogPos(): Promise<string | null> {
    try {
      return await this.variable('gtid_binlog_pos');
    } catch {
      return null;
    }
  }

  /**
   * One reading. Returns null for the first successful one (a baseline: deltas need two). The
   * previous reading survives a lost connection, so the line after reconnecting spans the gap.
   */
  async sample(t: number): Promise<DbLine | null> {
    const { node, role } = this.target;
    let reading: StatusReading;
    try {
      reading = await readStatus((sql) => this.query(sql), this.source);
    } catch (e) {
      this.drop();
      return { type: 'db', t, node, role, up: false, seconds: 0, status: {}, error: describeSqlError(e) };
    }
    const at = performance.now();
    const { global: status, own } = reading;
    if (!this.source) this.noteStatus(reading);
    this.source = reading.source;
    const prev = this.previous;
    this.previous = { status, own, generation: this.generation, at };
    if (!prev) return null;
    const seconds = Math.round(at - prev.at) / 1000;
    const mine = own ? { before: prev.generation === this.generation ? prev.own : null, after: own } : undefined;
    const line: DbLine = { type: 'db', t, node, role, up: true, seconds, status: statusDeltas(prev.status, status, mine) };
    const wsrep = wsrepSample(prev.status, status, seconds);
    if (wsrep) line.wsrep = wsrep;
    if (role === 'reader') Object.assign(line, await this.readerLag());
    return line;
  }

  private noteStatus({ global: status, source }: StatusReading): void {
    const { node } = this.target;
    if (source === 'show') this.caps.missing(node, "status without the probe's own statements", 'no readable GLOBAL_STATUS/SESSION_STATUS table');
    else this.caps.ok(node, `status without the probe's own statements (${source})`);
    const missing = missingStatus(status);
    if (missing.length) this.caps.missing(node, 'some status counters', `not reported by this server: ${missing.join(', ')}`);
    this.caps.ok(node, 'status counters');
    if (isGalera(status)) this.caps.ok(node, 'wsrep counters');
    else this.caps.missing(node, 'wsrep counters', 'not a Galera node');
  }

  /** A refused statement is a capability to note; a lost connection just ends this part of the sample. */
  private async optional<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (e) {
      if (!isConnectionError(e)) this.caps.missing(this.target.node, what, describeSqlError(e));
      return undefined;
    }
  }

  private async readerLag(): Promise<Pick<DbLine, 'readerLagSeconds' | 'readerLagTransactions' | 'replica'>> {
    const { node } = this.target;
    const out: Pick<DbLine, 'readerLagSeconds' | 'readerLagTransactions' | 'replica'> = { readerLagSeconds: null, readerLagTransactions: null };
    const writer = this.writerOf();
    // Both positions are read at about the same moment: the gap is meaningful only then.
    const [slave, readerPos, writerPos] = await Promise.all([
      this.optional('reader lag (SHOW SLAVE STATUS)', () => this.query('SHOW SLAVE STATUS')),
      this.optional('GTID gap', () => this.variable('gtid_slave_pos')),
      writer ? writer.gtidBinlogPos() : Promise.resolve(null),
    ]);
    const row = slave?.[0];
    if (slave && !row) this.caps.missing(node, 'reader lag (SHOW SLAVE STATUS)', 'no replication configured on this node');
    if (row) {
      this.caps.ok(node, 'reader lag (SHOW SLAVE STATUS)');
      const behind = row.Seconds_Behind_Master;
      out.readerLagSeconds = behind === null || behind === undefined ? null : Number(behind);
      out.replica = { ioRunning: row.Slave_IO_Running === 'Yes', sqlRunning: row.Slave_SQL_Running === 'Yes' };
    }
    if (!writer) this.caps.missing(node, 'GTID gap', 'no writer node to compare with');
    else if (readerPos === null) this.caps.missing(node, 'GTID gap', 'the server has no @@gtid_slave_pos (not MariaDB)');
    else if (readerPos !== undefined && writerPos !== null) {
      this.caps.ok(node, 'GTID gap');
      // Sampled concurrently, the reader can look a transaction ahead of the writer's older reading.
      out.readerLagTransactions = Math.max(0, gtidSeq(writerPos) - gtidSeq(readerPos));
    }
    return out;
  }

  async close(): Promise<void> {
    const c = this.conn;
    this.conn = null;
    if (!c) return;
    try {
      await c.end();
    } catch {
      c.destroy();
    }
  }
}

/** Samplers for a set of nodes, readers wired to their writer. */
export class DbProbe {
  readonly caps = new Capabilities();
  readonly samplers: NodeSampler[];

  constructor(nodes: DbNodeTarget[], opts: DbProbeOptions = {}) {
    const timeouts = { connectTimeoutMs: opts.connectTimeoutMs ?? 2000, queryTimeoutMs: opts.queryTimeoutMs ?? 5000 };
    const byName = new Map<string, NodeSampler>();
    this.samplers = nodes.map((n) => {
      const s = new NodeSampler(n, this.caps, () => {
        const w = n.writer ?? nodes.find((m) => m.role === 'writer')?.node;
        return w === undefined ? undefined : byName.get(w);
      }, timeouts);
      byName.set(n.node, s);
      return s;
    });
  }

  /** All nodes at once (tests and the final sample); the sampler drives nodes one by one. */
  async sampleAll(t: number): Promise<DbLine[]> {
    const lines = await Promise.all(this.samplers.map((s) => s.sample(t)));
    return lines.filter((l): l is DbLine => l !== null);
  }

  async close(): Promise<void> {
    await Promise.all(this.samplers.map((s) => s.close()));
  }
}
