import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, type Reply, type Session } from './client.ts';
import { errorText, get, list, str } from './json.ts';
import { result, type HazardResult, type ProbeEnv } from './types.ts';

/** Invalidation that travels (cluster messages, a polled change log) gets this long to reach B. */
const READ_TRIES = 6;
const READ_GAP_MS = 1_000;

class NotApplicable extends Error {}

/** `undefined` when the read failed; `null` is a real, empty description. */
function description(r: Reply): string | null | undefined {
  if (r.status !== 200) return undefined;
  const d = get(r.json, 'description');
  return typeof d === 'string' ? d : d === null || d === undefined ? null : undefined;
}

const show = (d: string | null | undefined) => (d === undefined ? '(unreadable)' : d === null ? 'null' : JSON.stringify(d));

async function read(s: Session, uuid: string): Promise<{ r: Reply; d: string | null | undefined }> {
  const r = await s.get(`visittype/${uuid}?v=full`);
  return { r, d: description(r) };
}

/**
 * Warms B's cache with a visit type, changes it through A, then reads it through B. OpenMRS nodes keep
 * metadata in local Hibernate second-level and Spring caches, so B goes on serving the old value.
 */
export async function probeMetadata(env: ProbeEnv): Promise<HazardResult> {
  const { a, b, step } = env;
  const notes: string[] = [];
  let restore: { uuid: string; original: string | null } | undefined;
  let verdict: HazardResult['verdict'] = 'n/a';
  try {
    const types = await a.get('visittype');
    const first = list(types.json, 'results')[0];
    const uuid = str(first, 'uuid');
    if (!uuid) throw new NotApplicable(`no visit type to change: ${describe(types)}`);
    const name = str(first, 'display') ?? uuid;
    const original = (await read(a, uuid)).d;
    if (original === undefined) throw new NotApplicable(`could not read visit type ${name} through A`);
    const warm = await read(b, uuid);
    if (warm.d === undefined) throw new NotApplicable(`could not read visit type ${name} through B: ${describe(warm.r)}`);
    if (warm.d !== original) notes.push(`B already disagreed before the change (${show(warm.d)} vs ${show(original)})`);

    const changed = `loadlab probe ${randomBytes(4).toString('hex')}`;
    const upd = await a.post(`visittype/${uuid}`, { description: changed });
    if (upd.status === 403 || upd.status === 405) throw new NotApplicable(`the API refused the change: ${describe(upd)}`);
    if (upd.status !== 200) throw new NotApplicable(`changing visit type ${name} failed: ${describe(upd)}`);
    restore = { uuid, original };
    step(`metadata-coherence: changed ${name} description through A to ${JSON.stringify(changed)}`);
    const ownView = (await read(a, uuid)).d;
    if (ownView !== changed) notes.push(`even A reads ${show(ownView)} after its own change`);

    let seen: string | null | undefined;
    let tries = 0;
    for (; tries < READ_TRIES; tries++) {
      if (tries) await sleep(READ_GAP_MS);
      seen = (await read(b, uuid)).d;
      if (seen === changed) break;
    }
    const where = `visit type ${name}: description changed through A (${a.replica}); B (${b.replica})`;
    if (seen === changed) {
      verdict = 'pass';
      notes.unshift(`${where} reads the new value${tries ? ` after ${tries + 1} reads` : ''}`);
    } else {
      verdict = 'hazard';
      const secs = ((READ_TRIES - 1) * READ_GAP_MS) / 1000;
      const stale = seen === original ? 'still shows the old description' : `shows ${show(seen)}`;
      notes.unshift(`${where} ${stale} ${show(original)} after ${secs} s: metadata caches local to each replica`);
    }
    step(`metadata-coherence: B reads ${show(seen)}`);
  } catch (e) {
    notes.push(e instanceof NotApplicable ? e.message : `probe error: ${errorText(e)}`);
  } finally {
    if (restore) {
      const back = await a.post(`visittype/${restore.uuid}`, { description: restore.original });
      notes.push(back.status === 200 ? 'original description restored' : `restoring the description failed: ${describe(back)}`);
    }
  }
  return result('metadata-coherence', verdict, notes.join('; '));
}
