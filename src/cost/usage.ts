import type { Model, Projection, ProjectionPoint } from '../core/model.ts';
import { monthHours, peakEquivalentHours, type DailyProfile } from './profile.ts';

/**
 * A month's usage of the billed quantities, from one projection point (the peak load), the topology it was projected
 * on and a daily load profile. Every per-hour quantity scales with that hour's share of the peak: throughput and
 * utilisation are proportional to load below saturation, which the projection at the peak checks.
 */

export const SECONDS_PER_HOUR = 3600;
/** AWS bills GB as 2^30 bytes. */
export const BYTES_PER_GB = 2 ** 30;
/** Aurora Serverless v2: 1 ACU ≈ 2 GiB of memory with about a quarter of a vCPU. */
export const VCPU_PER_ACU = 0.25;
export const ACU_STEP = 0.5;
export const ACU_MIN = 0.5;
export const ACU_MAX = 256;

/** Names of classes whose writes are clinical encounters (a visit note, vitals, a registration). */
export const ENCOUNTER_CLASS_PATTERN = /encounter|vitals|visitnote|note|registerpatient/i;

/** The ACUs an instance scales to for this many busy vCPUs: 0.5-ACU steps, 0.5 to 256. */
export function acuFor(busyVcpus: number): number {
  const acus = Math.ceil(busyVcpus / VCPU_PER_ACU / ACU_STEP - 1e-9) * ACU_STEP;
  return Math.min(ACU_MAX, Math.max(ACU_MIN, acus));
}

/** ACU-hours of one Serverless v2 instance in a month whose peak hour keeps `peakBusyVcpus` busy. */
export function acuHours(peakBusyVcpus: number, profile: DailyProfile): number {
  return monthHours(profile).reduce((s, h) => s + acuFor(peakBusyVcpus * h.factor) * h.hoursPerMonth, 0);
}

/** The four ALB dimensions in one hour; an LCU-hour is billed for the largest. */
export interface AlbHour {
  newConnectionsPerSecond: number;
  activeConnections: number;
  processedGbPerHour: number;
  ruleEvaluationsPerSecond: number;
}

export function lcuDimensions(h: AlbHour) {
  const d = {
    newConnections: h.newConnectionsPerSecond / 25,
    activeConnections: h.activeConnections / 3000,
    processedBytes: h.processedGbPerHour / 1,
    ruleEvaluations: h.ruleEvaluationsPerSecond / 1000,
  };
  const [dimension, lcu] = Object.entries(d).reduce((best, e) => (e[1] > best[1] ? e : best));
  return { ...d, lcu, dimension: dimension as keyof typeof d };
}

export interface AlbLoad {
  requestsPerSecond: number;
  /** Users at the peak; each holds one keep-alive connection. */
  users: number;
  bytesPerRequest: number;
  /** A user opens a new connection once per session. */
  sessionSeconds: number;
  /** Rules evaluated per request beyond the 10 AWS does not charge for (0 for a plain listener). */
  billableRulesPerRequest: number;
}

/** LCU-hours in a month: each hour of the profile priced at its own largest dimension. */
export function albLcuHours(peak: AlbLoad, profile: DailyProfile): number {
  return monthHours(profile).reduce((s, h) => {
    const rate = peak.requestsPerSecond * h.factor;
    const users = peak.users * h.factor;
    const { lcu } = lcuDimensions({
      newConnectionsPerSecond: users / peak.sessionSeconds,
      activeConnections: users,
      processedGbPerHour: (rate * peak.bytesPerRequest * SECONDS_PER_HOUR) / BYTES_PER_GB,
      ruleEvaluationsPerSecond: rate * peak.billableRulesPerRequest,
    });
    return s + lcu * h.hoursPerMonth;
  }, 0);
}

/** Data size over the month: it starts at `startGb` and grows linearly by `growthGb`. */
export function storageOverMonth(startGb: number, growthGb: number) {
  return { startGb, growthGb, endGb: startGb + growthGb, averageGb: startGb + growthGb / 2 };
}

/** A database instance and the vCPUs it keeps busy at the peak. */
export interface DbInstanceLoad {
  role: 'writer' | 'reader' | 'node';
  vcpus: number;
  peakBusyVcpus: number;
}

export interface UsageOptions {
  profile: DailyProfile;
  dataGb: number;
  sessionSeconds: number;
  billableRulesPerRequest: number;
  encounterClasses?: readonly string[];
}

export interface MonthlyUsage {
  peakRequestsPerSecond: number;
  peakUsers: number;
  requestsPerMonth: number;
  encountersPerMonth: number | null;
  bytesOutPerMonth: number;
  /** Database reads + writes (I/O operations); null when the model measured none. */
  ioPerMonth: number | null;
  peakIoPerSecond: number | null;
  storage: ReturnType<typeof storageOverMonth>;
  dbInstances: DbInstanceLoad[];
  lcuHours: number;
  bytesPerRequest: number;
}

const sum = (xs: Iterable<number>) => [...xs].reduce((a, b) => a + b, 0);

/** Users behind an open load, by Little's law over a user's cycle (think + response). */
function usersAt(model: Model, point: ProjectionPoint): number {
  if (point.users !== null) return point.users;
  return sum(model.classes.map((c) => (point.throughput.perClass[c.name] ?? 0) * (c.thinkTimeSeconds + (point.responseTimeMean[c.name] ?? 0))));
}

/** Writer, readers or Galera nodes with the vCPUs each keeps busy at the peak (an idle reader keeps none). */
export function dbInstanceLoads(projection: Projection, point: ProjectionPoint): DbInstanceLoad[] {
  const db = projection.topology.db;
  const busy = (suffix: string) => {
    const st = projection.stations.find((s) => s.role === 'db-cpu' && (s.name.endsWith(suffix) || suffix === ''));
    return st ? (point.utilisation[st.name] ?? 0) * st.servers : 0;
  };
  if (db.kind === 'aurora') {
    const writer: DbInstanceLoad = { role: 'writer', vcpus: db.vcpus, peakBusyVcpus: db.readers > 0 && db.readSplit ? busy(':writer') : busy('') };
    const readerBusy = db.readSplit ? busy(':readers') : 0;
    return [writer, ...Array.from({ length: db.readers }, () => ({ role: 'reader' as const, vcpus: db.readerVcpus ?? db.vcpus, peakBusyVcpus: readerBusy }))];
  }
  if (db.kind === 'single') return [{ role: 'writer', vcpus: db.vcpus, peakBusyVcpus: busy('') }];
  return Array.from({ length: db.nodes }, () => ({ role: 'node' as const, vcpus: db.vcpus, peakBusyVcpus: 0 }));
}

export function monthlyUsage(model: Model, projection: Projection, point: ProjectionPoint, o: UsageOptions): MonthlyUsage {
  const peakHours = peakEquivalentHours(o.profile);
  const perMonth = (perSecond: number) => perSecond * SECONDS_PER_HOUR * peakHours;
  const x = point.throughput.perClass;
  const classes = model.classes;
  const total = point.throughput.total;
  const bytesOutPerSecond = sum(classes.map((c) => (x[c.name] ?? 0) * (c.bytesPerRequest ?? 0)));
  const io = model.database?.io;

  const isEncounter = (name: string) => (o.encounterClasses ? o.encounterClasses.includes(name) : ENCOUNTER_CLASS_PATTERN.test(name));
  const encounterClasses = classes.filter((c) => c.kind === 'write' && isEncounter(c.name));
  const encountersPerMonth = encounterClasses.length ? perMonth(sum(encounterClasses.map((c) => x[c.name] ?? 0))) : null;

  const bytesWrittenPerSecond = io ? sum(classes.filter((c) => c.kind === 'write').map((c) => (x[c.name] ?? 0) * (io[c.name]?.bytesWritten ?? 0))) : 0;
  const peakIoPerSecond =
    point.ioPerSecond ?? (io ? sum(classes.map((c) => (x[c.name] ?? 0) * ((io[c.name]?.reads ?? 0) + (io[c.name]?.writes ?? 0)))) + (model.database?.backgroundIoPerSecond ?? 0) : null);

  const users = usersAt(model, point);
  return {
    peakRequestsPerSecond: total,
    peakUsers: users,
    requestsPerMonth: perMonth(total),
    encountersPerMonth,
    bytesOutPerMonth: perMonth(bytesOutPerSecond),
    ioPerMonth: peakIoPerSecond === null ? null : perMonth(peakIoPerSecond),
    peakIoPerSecond,
    storage: storageOverMonth(o.dataGb, perMonth(bytesWrittenPerSecond) / BYTES_PER_GB),
    dbInstances: dbInstanceLoads(projection, point),
    lcuHours: albLcuHours(
      { requestsPerSecond: total, users, bytesPerRequest: total > 0 ? bytesOutPerSecond / total : 0, sessionSeconds: o.sessionSeconds, billableRulesPerRequest: o.billableRulesPerRequest },
      o.profile,
    ),
    bytesPerRequest: total > 0 ? bytesOutPerSecond / total : 0,
  };
}

