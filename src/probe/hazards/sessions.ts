import { authenticated, describe, OPAQUE_LB_COOKIE, Session } from './client.ts';
import type { HazardOptions } from './types.ts';

export interface OpenedSessions {
  /** First session that logged in; undefined when logging in failed. */
  a?: Session;
  /** A session whose LB cookie names another replica than `a`'s. */
  b?: Session;
  evidence: string;
}

const MAX_LOGINS = 10;
/** Without any LB cookie after this many logins there is no sticky balancer to tell replicas apart by. */
const LOGINS_WITHOUT_COOKIE = 3;

/**
 * Logs in with fresh cookie jars until two sessions sit on different replicas by their LB cookie.
 * Round-robin balancers usually need two logins; anything else gets a few more tries.
 */
export async function openSessions(opts: HazardOptions, step: (line: string) => void): Promise<OpenedSessions> {
  let a: Session | undefined;
  const seen: string[] = [];
  for (let i = 1; i <= MAX_LOGINS; i++) {
    const s = new Session(opts.target, a ? 'B' : 'A');
    const r = await s.login(opts.username, opts.password);
    if (!authenticated(r)) {
      const why = r.status === 200 ? `credentials for ${opts.username} were refused (authenticated:false)` : describe(r);
      step(`login ${i}: failed: ${why}`);
      if (!a) return { evidence: `could not log in through ${opts.target}: ${why}` };
      continue;
    }
    step(`login ${i}: ${s.replica}${r.servedBy ? ` (X-Served-By: ${r.servedBy})` : ''}`);
    if (!seen.includes(s.replica)) seen.push(s.replica);
    if (!a) {
      a = s;
      continue;
    }
    if (s.lbCookie && a.lbCookie && s.replica !== a.replica) {
      const opaque = OPAQUE_LB_COOKIE.test(s.lbCookie.name)
        ? `; ${s.lbCookie.name} values are opaque and differ even on one target, so A and B may share a replica`
        : '';
      return { a, b: s, evidence: `session A on ${a.replica}, session B on ${s.replica} (after ${i} logins)${opaque}` };
    }
    if (!s.lbCookie && !a.lbCookie && i >= LOGINS_WITHOUT_COOKIE) {
      return {
        a,
        evidence:
          `no load-balancer cookie in ${i} logins (only JSESSIONID): a single replica, or a balancer that does not ` +
          'stick by cookie, so sessions cannot be placed on two replicas',
      };
    }
  }
  return {
    a,
    evidence: `only one replica was seen in ${MAX_LOGINS} logins (${seen.join(', ')}): nothing to compare across replicas`,
  };
}
