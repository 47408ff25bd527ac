import { authenticated, describe, OPAQUE_LB_COOKIE, type Session } from './client.ts';
import { result, type HazardResult } from './types.ts';

const REQUESTS = 20;
const PATHS = ['session', 'location?tag=Login%20Location'];

/**
 * One session makes a run of ordinary requests with its cookies alone. With in-memory HTTP sessions, a
 * request the balancer sends elsewhere answers 401 (or authenticated:false), which is what users see
 * as a random logout.
 */
export async function probeStickiness(a: Session, step: (line: string) => void): Promise<HazardResult> {
  const startCookie = a.lbCookie;
  const served = new Set<string>();
  const problems: string[] = [];
  let ok = 0;
  for (let i = 0; i < REQUESTS; i++) {
    const path = PATHS[i % PATHS.length]!;
    const r = await a.get(path);
    if (r.servedBy) served.add(r.servedBy);
    const good = r.status === 200 && (path !== 'session' || authenticated(r));
    if (good) ok++;
    else problems.push(`#${i + 1} GET ${path.split('?')[0]}: ${describe(r)}`);
    const now = a.lbCookie;
    if (startCookie && now && now.value !== startCookie.value && !OPAQUE_LB_COOKIE.test(now.name)) {
      problems.push(`#${i + 1}: LB cookie changed from ${startCookie.name}=${startCookie.value} to ${now.name}=${now.value}`);
    }
  }
  step(`stickiness: ${ok}/${REQUESTS} authenticated, ${problems.length} problem(s)`);
  const extra = served.size ? ` (X-Served-By: ${[...served].join(', ')})` : '';
  const where = startCookie ? `on ${a.replica}` : 'with no load-balancer cookie at all';
  const opaque = startCookie && OPAQUE_LB_COOKIE.test(startCookie.name) ? '; the LB cookie is opaque and rotates by design' : '';
  if (served.size > 1) problems.push(`responses came from ${served.size} replicas by X-Served-By`);
  if (problems.length === 0) {
    const none = startCookie ? '' : '; nothing to stick to (single replica, or stickiness by other means)';
    return result('stickiness', 'pass', `${ok}/${REQUESTS} requests stayed authenticated ${where}${extra}${opaque}${none}`);
  }
  const shown = problems.slice(0, 4).join('; ') + (problems.length > 4 ? `; … ${problems.length - 4} more` : '');
  return result('stickiness', 'hazard', `${ok}/${REQUESTS} requests stayed authenticated ${where}${extra}: ${shown}`);
}
