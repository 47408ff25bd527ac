import { startMariaDb, type MariaDbServer } from '../../src/infra/mariadb.ts';
import { startTarget, type RunningTarget, type TargetOptions } from '../../src/target/target.ts';
import { installSchema } from '../../src/target/schema.ts';

export const ADMIN = 'Basic ' + Buffer.from('admin:Admin123').toString('base64');
export const READER = 'Basic ' + Buffer.from('reader:Reader123').toString('base64');

/** A private MariaDB with OpenMRS's schema and metadata, for one test file. */
export async function startDb(): Promise<MariaDbServer> {
  const db = await startMariaDb({ bufferPool: '128M' });
  await installSchema(db.app);
  return db;
}

export async function startTargetOn(db: MariaDbServer, opts: Partial<TargetOptions> = {}): Promise<RunningTarget> {
  return startTarget({ db: db.app, port: 0, log: () => {}, ...opts });
}

/** fetch against a target with admin Basic auth unless headers say otherwise; returns status, headers and JSON. */
export async function call(
  t: RunningTarget,
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string>; auth?: string | null } = {},
) {
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  if (init.auth !== null) headers.Authorization = init.auth ?? ADMIN;
  if (init.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${t.url}${path.startsWith('/') ? '' : '/ws/rest/v1/'}${path}`, {
    method: init.method ?? (init.body !== undefined ? 'POST' : 'GET'),
    headers,
    body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
  });
  const text = await res.text();
  let json: any = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: res.status, headers: res.headers, json };
}
