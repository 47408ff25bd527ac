import { request } from 'undici';
import type { LedgerAudit } from '../core/run.ts';
import type { Acknowledged } from './recorder.ts';

/** Which of `uuids` of `resource` exist; null when this lookup cannot tell (e.g. unknown resource). */
export type LedgerLookup = (resource: string, uuids: string[]) => Promise<Set<string> | null>;

/**
 * After the run: is every write the target acknowledged (201 with a uuid) still there? `lookup`
 * asks the database directly when its URL is known, else the REST API (see restLookup).
 */
export async function auditLedger(records: Acknowledged[], lookup: LedgerLookup, method: LedgerAudit['method']): Promise<LedgerAudit> {
  const byResource = new Map<string, Acknowledged[]>();
  for (const r of records) (byResource.get(r.resource) ?? byResource.set(r.resource, []).get(r.resource)!).push(r);
  const audit: LedgerAudit = { method, acknowledged: records.length, found: 0, lost: 0, unknown: 0, byResource: {}, lostExamples: [] };
  for (const [resource, list] of byResource) {
    let found: Set<string> | null = null;
    try {
      found = await lookup(resource, list.map((r) => r.uuid));
    } catch {
      found = null;
    }
    const entry = { acknowledged: list.length, lost: 0 };
    for (const r of list) {
      if (!found) audit.unknown++;
      else if (found.has(r.uuid)) audit.found++;
      else {
        audit.lost++;
        entry.lost++;
        if (audit.lostExamples.length < 20) audit.lostExamples.push({ resource, uuid: r.uuid, step: r.step });
      }
    }
    audit.byResource[resource] = entry;
  }
  return audit;
}

/** Looks each uuid up through the REST API (GET /{resource}/{uuid}?v=ref): 200 found, 404 lost. */
export function restLookup(target: string, credentials: { username: string; password: string }, concurrency = 8): LedgerLookup {
  const auth = 'Basic ' + Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
  return async (resource, uuids) => {
    const found = new Set<string>();
    let undecided = 0;
    const queue = [...uuids];
    const worker = async () => {
      for (let uuid = queue.shift(); uuid; uuid = queue.shift()) {
        const res = await request(`${target}/ws/rest/v1/${resource}/${uuid}?v=ref`, { headers: { authorization: auth } });
        await res.body.dump();
        if (res.statusCode === 200) found.add(uuid);
        else if (res.statusCode !== 404) undecided++;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return undecided ? null : found;
  };
}
