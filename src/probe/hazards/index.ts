import { probeMetadata } from './metadata.ts';
import { probeReadYourWrites } from './read-your-writes.ts';
import { openSessions } from './sessions.ts';
import { probeStickiness } from './stickiness.ts';
import { probeSurvival } from './survival.ts';
import { errorText } from './json.ts';
import { result, type HazardId, type HazardOptions, type HazardResult } from './types.ts';

export type { HazardId, HazardOptions, HazardResult } from './types.ts';
export { hazardTable } from './table.ts';

const ORDER: HazardId[] = ['stickiness', 'session-survival', 'read-your-writes', 'metadata-coherence'];

/** A probe that throws despite its own care still yields a row, so one probe cannot sink the run. */
async function guarded(id: HazardId, probe: () => Promise<HazardResult>): Promise<HazardResult> {
  try {
    return await probe();
  } catch (e) {
    return result(id, 'n/a', `probe crashed: ${errorText(e)}`);
  }
}

/**
 * Runs the clustering probes against any OpenMRS through its REST API and the balancer's cookies.
 * Results come in the order stickiness, session-survival, read-your-writes, metadata-coherence; the
 * survival probe runs last because it kills a replica, which would disturb the others.
 */
export async function runHazards(opts: HazardOptions): Promise<HazardResult[]> {
  const step = opts.onStep ?? (() => {});
  const out = new Map<HazardId, HazardResult>();
  try {
    const open = await openSessions(opts, step);
    step(`sessions: ${open.evidence}`);
    const { a, b } = open;
    if (!a) {
      for (const id of ORDER) out.set(id, result(id, 'n/a', open.evidence));
    } else {
      out.set('stickiness', await guarded('stickiness', () => probeStickiness(a, step)));
      if (!b) {
        for (const id of ORDER.slice(1)) out.set(id, result(id, 'n/a', open.evidence));
      } else {
        const env = { opts, step, a, b };
        out.set('read-your-writes', await guarded('read-your-writes', () => probeReadYourWrites(env)));
        out.set('metadata-coherence', await guarded('metadata-coherence', () => probeMetadata(env)));
        out.set('session-survival', await guarded('session-survival', () => probeSurvival(env)));
      }
    }
  } catch (e) {
    for (const id of ORDER) if (!out.has(id)) out.set(id, result(id, 'n/a', `not run: ${errorText(e)}`));
  }
  return ORDER.map((id) => out.get(id) ?? result(id, 'n/a', 'not run'));
}
