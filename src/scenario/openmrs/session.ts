import { step } from '../dsl.ts';
import { StepError, type Step } from '../types.ts';
import { LOCATION, REST } from './constants.ts';
import { okJson, results, str } from './util.ts';

/**
 * Logs in as the performance suite's users do at the start of every iteration: a fresh browser (no
 * cookies), then GET /session with Basic credentials. Saves the user and the current provider, which
 * encounters name. Nothing else works without a session, so a failed login ends the iteration.
 */
export function login(opts: { name?: string } = {}): Step {
  const name = opts.name ?? 'login';
  return step(name, async (vu) => {
    vu.http.clearCookies();
    for (const key of ['userUuid', 'providerUuid', 'locationUuid']) vu.vars.delete(key);
    const res = await vu.http.get(`${REST}/session`, { basicAuth: true, expect: [200] });
    const body = okJson(res);
    const authenticated = vu.check('login: authenticated', (body as { authenticated?: unknown } | undefined)?.authenticated === true);
    if (!authenticated) {
      throw new StepError(`login: not authenticated (status ${res.status}); check the credentials`, res.status === 200 ? 'auth' : `http-${res.status}`);
    }
    const user = str(body, 'user.uuid');
    if (user) vu.vars.set('userUuid', user);
    const location = str(body, 'sessionLocation.uuid');
    if (location) vu.vars.set('locationUuid', location);
    let provider = str(body, 'currentProvider.uuid');
    if (!provider && user) {
      // Older servers leave currentProvider out of the session; O3 then looks the provider up by user.
      const lookup = await vu.http.get(`${REST}/provider?user=${user}&v=custom:(uuid,display)`, { name: `${name}:provider`, expect: [200] });
      provider = str(results(okJson(lookup))[0], 'uuid');
    }
    vu.check('login: user is a provider', provider !== undefined);
    if (provider) vu.vars.set('providerUuid', provider);
  });
}

/** The location picker after login: POST /session {sessionLocation} (default: Outpatient Clinic). */
export function selectLocation(uuid: string = LOCATION.outpatient, opts: { name?: string } = {}): Step {
  return step(opts.name ?? 'selectLocation', async (vu) => {
    const res = await vu.http.post(`${REST}/session`, { sessionLocation: uuid }, { expect: [200] });
    const chosen = str(okJson(res), 'sessionLocation.uuid');
    vu.check('selectLocation: session location set', chosen === uuid);
    vu.vars.set('locationUuid', uuid);
  });
}
