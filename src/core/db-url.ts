import { UsageError } from './errors.ts';

/** Where a MySQL-protocol database lives. Passwords travel in this object, never in logs. */
export interface DbLocation {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

/** Parses `mysql://user:pass@host:port/db` (also `mariadb://`). */
export function parseDbUrl(url: string, where = '--db'): DbLocation {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    // Not echoed: an unparsable URL may still hold a password.
    throw new UsageError(`${where}: the value is not a URL`, 'expected mysql://user:password@host:port/database');
  }
  if (u.protocol !== 'mysql:' && u.protocol !== 'mariadb:') {
    throw new UsageError(`${where}: unsupported scheme '${u.protocol}'`, 'expected mysql://user:password@host:port/database');
  }
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!database) throw new UsageError(`${where}: the URL names no database`, 'append /openmrs (or your database name)');
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password),
    database,
  };
}

export function formatDbUrl(db: DbLocation): string {
  const auth = db.password ? `${encodeURIComponent(db.user)}:${encodeURIComponent(db.password)}` : encodeURIComponent(db.user);
  return `mysql://${auth}@${db.host}:${db.port}/${encodeURIComponent(db.database)}`;
}

/** The URL with its password replaced, safe for logs, run directories and reports. */
export function redactDbUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*):[^@]*@/i, '$1:***@');
}
