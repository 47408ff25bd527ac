import { setTimeout as sleep } from 'node:timers/promises';
import { authenticated, describe, failed, type Reply } from './client.ts';
import { errorText, str } from './json.ts';
import { result, type HazardResult, type ProbeEnv } from './types.ts';

const PROTECTED = 'location?tag=Login%20Location';
/** Requests that fail outright are retried this often, since a balancer needs a moment to mark the replica down. */
const ATTEMPTS = 4;
const RETRY_MS = 1_000;

type Outcome = 'survived' | 'logged-out' | 'failed' | 'other';

function classify(r: Reply): Outcome {
  if (r.status === 200) return 'survived';
  if (r.status === 401) return 'logged-out';
  return failed(r) ? 'failed' : 'other';
}

/** OpenMRS says "User is not logged in"; anything naming the login counts as telling the user why. */
const clear401 = (r: Reply) => /not logged in|log ?in|authenticat/i.test(str(r.json, 'error', 'message') ?? r.text);

/**
 * Kills the replica that holds session A, then continues as that user would: the next request either
 * still works (a shared session store), or the user is logged out and must log in again on a survivor.
 */
export async function probeSurvival(env: ProbeEnv): Promise<HazardResult> {
  const { opts, step, a } = env;
  if (!opts.killReplica) {
    return result('session-survival', 'n/a', 'no way to kill a replica here (killReplica not given; local topologies only)');
  }
  const victim = a.lbCookie;
  if (!victim) return result('session-survival', 'n/a', 'session A has no LB cookie naming its replica');
  step(`session-survival: killing ${victim.value} (session A's replica)`);
  try {
    await opts.killReplica(victim.value);
  } catch (e) {
    return result('session-survival', 'n/a', `could not kill replica ${victim.value}: ${errorText(e)}`);
  }
  let verdict: HazardResult['verdict'] = 'hazard';
  const notes: string[] = [];
  try {
    verdict = await observe(env, victim.value, notes);
  } catch (e) {
    notes.push(`probe error: ${errorText(e)}`);
  }
  await restore(env, victim.value, notes);
  return result('session-survival', verdict, notes.join('; '));
}

/** Continues as session A's user after the kill; returns the verdict and leaves the story in `notes`. */
async function observe(env: ProbeEnv, victim: string, notes: string[]): Promise<HazardResult['verdict']> {
  const { opts, step, a } = env;
  const seen: string[] = [];
  let last: Reply | undefined;
  let outcome: Outcome = 'failed';
  for (let i = 0; i < ATTEMPTS; i++) {
    last = await a.get(PROTECTED);
    outcome = classify(last);
    seen.push(describe(last));
    if (outcome !== 'failed') break;
    await sleep(RETRY_MS);
  }
  const moved = a.lbCookie && a.lbCookie.value !== victim ? `; the balancer moved A to ${a.replica}` : '';
  const failures = seen.filter((s) => s.startsWith('request failed'));
  const errNote = failures.length ? `; ${failures.length} request(s) failed first: ${failures[0]}` : '';
  step(`session-survival: after the kill: ${seen.join(' → ')}`);

  let verdict: HazardResult['verdict'] = 'hazard';
  if (outcome === 'survived') {
    const still = authenticated(await a.get('session'));
    if (still) verdict = 'pass';
    notes.push(
      `the session survived: GET location answered 200 and GET session authenticated:${still} (shared session store)` +
        `${moved}${errNote}`,
    );
  } else if (outcome === 'logged-out' && last) {
    const clear = clear401(last) ? ' (a clear 401 that says the user is not logged in)' : ' (a 401 without a clear message)';
    notes.push(`the user was logged out: ${describe(last)}${clear}${moved}${errNote}`);
  } else {
    notes.push(`no usable answer after the kill (${seen.join(' → ')}): the user is stranded, not told to log in`);
  }

  const relogin = await a.login(opts.username, opts.password);
  const after = authenticated(relogin) ? await a.get(PROTECTED) : undefined;
  notes.push(
    after?.status === 200
      ? `re-login with the same cookie jar worked (on ${a.replica})`
      : `re-login with the same cookie jar did not work: ${describe(after ?? relogin)}`,
  );
  return verdict;
}

async function restore(env: ProbeEnv, replica: string, notes: string[]): Promise<void> {
  if (!env.opts.restoreReplica) {
    notes.push(`replica ${replica} left down (no restoreReplica)`);
    return;
  }
  try {
    env.step(`session-survival: restoring ${replica}`);
    await env.opts.restoreReplica(replica);
  } catch (e) {
    notes.push(`restoring ${replica} failed: ${errorText(e)}`);
  }
}
