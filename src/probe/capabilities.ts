/**
 * What the probes could and could not measure on each node, for db.json's `available` and
 * `unavailable` lists. Against an external database (Aurora, a managed MySQL) much may be missing
 * or denied, and the report must say so rather than show zeros.
 */
export interface CapabilityLists {
  available: string[];
  unavailable: string[];
}

export class Capabilities {
  /** "node: what" → null when available, else the reason. The latest finding wins. */
  private readonly found = new Map<string, string | null>();

  ok(node: string, what: string): void {
    this.found.set(`${node}: ${what}`, null);
  }

  missing(node: string, what: string, reason: string): void {
    this.found.set(`${node}: ${what}`, reason);
  }

  lists(): CapabilityLists {
    const available: string[] = [];
    const unavailable: string[] = [];
    for (const [k, reason] of this.found) {
      if (reason === null) available.push(k);
      else unavailable.push(`${k} (${reason})`);
    }
    return { available, unavailable };
  }
}

export function mergeLists(...all: (CapabilityLists | undefined)[]): CapabilityLists {
  const available = new Set<string>();
  const unavailable = new Set<string>();
  for (const l of all) {
    for (const a of l?.available ?? []) available.add(a);
    for (const u of l?.unavailable ?? []) unavailable.add(u);
  }
  return { available: [...available].sort(), unavailable: [...unavailable].sort() };
}

interface SqlError {
  errno?: number;
  code?: string;
  message?: string;
  fatal?: boolean;
}

/** True when the connection itself is gone (as opposed to one statement being refused). */
export function isConnectionError(e: unknown): boolean {
  const err = e as SqlError;
  return err.fatal === true || err.errno === undefined || (typeof err.code === 'string' && /^(E[A-Z]+$|PROTOCOL_)/.test(err.code));
}

/**
 * A short reason for a refused statement. Server messages name users and privileges, never
 * passwords, so they may go into db.json.
 */
export function describeSqlError(e: unknown): string {
  const err = e as SqlError;
  // A refused connection to a name with several addresses is an AggregateError with no message.
  const msg = err.message || err.code || String(e);
  switch (err.errno) {
    case 1227: {
      const m = /the (.+?) privilege/i.exec(msg);
      return m?.[1] ? `no ${m[1]} privilege` : msg;
    }
    case 1142:
    case 1143: {
      // "SELECT command denied to user 'u'@'h' for table `performance_schema`.`events_…`": name the table.
      const m = /^(\w+) command denied .* for table (?:[`'"]?[\w$]+[`'"]?\.)?[`'"]?([\w$]+)/i.exec(msg);
      return m?.[1] && m[2] ? `no ${m[1]} privilege on ${m[2]}` : msg;
    }
    case 1044:
      return `no access to the database: ${msg}`;
    case 1146:
      return `table missing: ${msg}`;
    default:
      return err.code && !err.errno ? `${err.code}: ${msg}` : msg;
  }
}
