import { z } from 'zod';

/** What `loadlab up` was asked for. */
export const TopologySpec = z.object({
  replicas: z.number().int().min(1).max(16),
  db: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('single') }),
    z.object({ kind: z.literal('aurora'), readers: z.number().int().min(0).max(8) }),
    z.object({ kind: z.literal('galera'), nodes: z.number().int().min(1).max(9) }),
    z.object({ kind: z.literal('external'), url: z.string() }),
  ]),
  sessions: z.enum(['sticky', 'redis']),
  search: z.enum(['local', 'db']),
  patients: z.number().int().min(0),
  galeraWriters: z.enum(['one', 'all']),
  port: z.number().int().min(1).max(65535),
});
export type TopologySpec = z.infer<typeof TopologySpec>;

/** One process that `up` started and `down` stops. */
export const Component = z.object({
  name: z.string(),
  kind: z.enum(['mariadb', 'galera', 'reader', 'dbproxy', 'redis', 'replica', 'lb']),
  role: z.string(),
  pid: z.number().int(),
  port: z.number().int(),
  dir: z.string(),
  log: z.string(),
  /** Galera ports and other per-kind facts needed to restart the process. */
  extra: z.record(z.string(), z.union([z.string(), z.number()])).default({}),
});
export type Component = z.infer<typeof Component>;

const Credentials = z.object({
  database: z.string(),
  app: z.object({ user: z.string(), password: z.string() }),
  admin: z.object({ user: z.string(), password: z.string() }),
});

/** `.loadlab/state.json` (mode 0600): holds database passwords, so it never goes into run directories. */
export const TopologyState = z.object({
  schema: z.literal(1),
  createdAt: z.string(),
  root: z.string(),
  spec: TopologySpec,
  credentials: Credentials,
  replicationPassword: z.string().optional(),
  /** Host and port the replicas' database connections go to (the DB proxy for Galera). */
  appDb: z.object({ host: z.string(), port: z.number().int() }),
  targetUrl: z.string(),
  components: z.array(Component),
  /** Folders outside `root` that `down` removes too (Galera's datadirs, see topology-db.ts). */
  outsideDirs: z.array(z.string()).default([]),
});
export type TopologyState = z.infer<typeof TopologyState>;
