import { request } from 'undici';
import { UsageError } from '../core/errors.ts';

/**
 * One login before the run: a target that is down, answers something other than OpenMRS's JSON
 * (a login page, a proxy's error page) or rejects the credentials is reported now, clearly,
 * instead of as a run full of errors.
 */
export async function preflight(target: string, credentials: { username: string; password: string }): Promise<void> {
  const url = `${target}/ws/rest/v1/session`;
  let res;
  try {
    res = await request(url, {
      headers: { authorization: 'Basic ' + Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64') },
      headersTimeout: 15_000,
      bodyTimeout: 15_000,
    });
  } catch (e) {
    const err = e as Error & { code?: string };
    throw new UsageError(`cannot reach the target at ${url}: ${err.code ?? err.message}`, 'start one with `loadlab up`, or pass --target http://host:port/openmrs');
  }
  const text = await res.body.text();
  const type = String(res.headers['content-type'] ?? '');
  let body: { authenticated?: unknown } | undefined;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!body || typeof body !== 'object') {
    throw new UsageError(
      `the target at ${url} answered ${res.statusCode} with ${type || 'no content type'}, not OpenMRS's JSON: ${JSON.stringify(text.slice(0, 80))}`,
      'check --target: it should end in the OpenMRS context path, e.g. http://host:8080/openmrs',
    );
  }
  if (body.authenticated !== true) {
    throw new UsageError(`the target rejected the credentials of user '${credentials.username}'`, 'pass --user/--password or set LOADLAB_USER/LOADLAB_PASSWORD');
  }
}
