import type { TargetTopology } from '../core/model.ts';
import { UsageError } from '../core/errors.ts';

/**
 * Deployment layouts the OpenMRS community weighs for a country or district: one regional deployment for every
 * clinic, one small deployment per clinic, or a hybrid. The total load is the same; what changes is how many copies
 * of the fixed costs (DB instance, load balancer, NAT) are paid and how well the shared one is used.
 */
export type Layout =
  | { kind: 'regional' }
  | { kind: 'per-clinic'; clinics: number }
  /** `regionalShare` of the clinics on the regional deployment, the rest with their own. */
  | { kind: 'hybrid'; clinics: number; regionalShare: number };

/** One kind of deployment within a layout: `copies` of it, each carrying `loadShare` of the total load. */
export interface LayoutPart {
  label: string;
  copies: number;
  loadShare: number;
  topology: TargetTopology;
}

const LAYOUT_HINT = 'use regional, per-clinic:N (N clinics) or hybrid:N:F (a fraction F of N clinics on the regional deployment)';

export function parseLayout(spec: string): Layout {
  if (spec === 'regional') return { kind: 'regional' };
  const perClinic = /^per-clinic:(\d+)$/.exec(spec);
  if (perClinic) {
    const clinics = Number(perClinic[1]);
    if (clinics < 1) throw new UsageError(`--layout ${spec}: needs at least 1 clinic`, LAYOUT_HINT);
    return { kind: 'per-clinic', clinics };
  }
  const hybrid = /^hybrid:(\d+):(\d*\.?\d+)$/.exec(spec);
  if (hybrid) {
    const clinics = Number(hybrid[1]);
    const regionalShare = Number(hybrid[2]);
    if (clinics < 2 || !(regionalShare > 0 && regionalShare < 1)) throw new UsageError(`--layout ${spec}: needs 2 or more clinics and a fraction strictly between 0 and 1`, LAYOUT_HINT);
    return { kind: 'hybrid', clinics, regionalShare };
  }
  throw new UsageError(`--layout: '${spec}' is not a layout`, LAYOUT_HINT);
}

/** `compare` or `compare:N:F`: the three layouts side by side (10 clinics, half of them regional, by default). */
export function parseLayoutComparison(spec: string): Layout[] | null {
  const m = /^compare(?::(\d+)(?::(\d*\.?\d+))?)?$/.exec(spec);
  if (!m) return null;
  const n = m[1] ?? '10';
  const f = m[2] ?? '0.5';
  return [parseLayout('regional'), parseLayout(`per-clinic:${n}`), parseLayout(`hybrid:${n}:${f}`)];
}

export function describeLayout(l: Layout): string {
  if (l.kind === 'regional') return 'regional';
  if (l.kind === 'per-clinic') return `per-clinic:${l.clinics}`;
  return `hybrid:${l.clinics}:${l.regionalShare}`;
}

/** A clinic's own deployment: one replica and a one-instance database (no readers, no cluster). */
export function clinicTopology(t: TargetTopology): TargetTopology {
  const db: TargetTopology['db'] =
    t.db.kind === 'aurora' ? { kind: 'aurora', vcpus: t.db.vcpus, readers: 0 }
    : t.db.kind === 'galera' ? { kind: 'galera', nodes: 1, vcpus: t.db.vcpus, writers: 'one' }
    : { kind: 'single', vcpus: t.db.vcpus };
  return { label: 'clinic', replicas: 1, vcpusApp: t.vcpusApp, sessions: t.sessions ?? 'sticky', db };
}

export function layoutParts(layout: Layout, regional: TargetTopology): LayoutPart[] {
  if (layout.kind === 'regional') return [{ label: 'regional deployment', copies: 1, loadShare: 1, topology: regional }];
  const clinic = clinicTopology(regional);
  if (layout.kind === 'per-clinic') return [{ label: 'clinic deployment', copies: layout.clinics, loadShare: 1 / layout.clinics, topology: clinic }];
  const onRegional = Math.round(layout.clinics * layout.regionalShare);
  const own = layout.clinics - onRegional;
  const parts: LayoutPart[] = [];
  if (onRegional > 0) parts.push({ label: `regional deployment for ${onRegional} clinics`, copies: 1, loadShare: onRegional / layout.clinics, topology: regional });
  if (own > 0) parts.push({ label: 'clinic deployment', copies: own, loadShare: 1 / layout.clinics, topology: clinic });
  return parts;
}

export interface LayoutPartCost {
  label: string;
  copies: number;
  loadShare: number;
  monthlyUsdEach: number;
  monthlyUsd: number;
  meetsSlo: boolean | null;
}

export interface LayoutCost {
  layout: string;
  parts: LayoutPartCost[];
  monthlyUsd: number;
  per1000EncountersUsd: number | null;
  /** Every part meets the SLO at its load; null without an SLO. */
  meetsSlo: boolean | null;
}

/** A layout's month from the cost of one copy of each part. */
export function layoutCost(layout: Layout, parts: readonly (LayoutPart & { monthlyUsdEach: number; meetsSlo: boolean | null })[], encountersPerMonth: number | null): LayoutCost {
  const costed = parts.map((p) => ({ label: p.label, copies: p.copies, loadShare: p.loadShare, monthlyUsdEach: p.monthlyUsdEach, monthlyUsd: p.monthlyUsdEach * p.copies, meetsSlo: p.meetsSlo }));
  const monthlyUsd = costed.reduce((s, p) => s + p.monthlyUsd, 0);
  const verdicts = parts.map((p) => p.meetsSlo);
  return {
    layout: describeLayout(layout),
    parts: costed,
    monthlyUsd,
    per1000EncountersUsd: encountersPerMonth ? (monthlyUsd / encountersPerMonth) * 1000 : null,
    meetsSlo: verdicts.some((v) => v === null) ? null : verdicts.every(Boolean),
  };
}
