import type { RequestContext, Route } from '../context.ts';
import { badRequest, conversionError } from '../errors.ts';
import { represent, REF } from '../rep.ts';
import { basicCredentials } from '../server.ts';
import { newSessionId } from '../sessions.ts';
import { locationDef, withCache } from './metadata-defs.ts';

const ALLOWED_LOCALES = ['en', 'en_GB', 'es', 'fr', 'it', 'pt'];

function sessionBody(ctx: RequestContext): Record<string, unknown> {
  const { user, session } = ctx;
  const locale = session?.locale ?? 'en_GB';
  if (!user || !session) return { authenticated: false, locale, allowedLocales: ALLOWED_LOCALES };
  const { cache } = ctx.target;
  const ref = (name: string, uuid: string, display: string) => ({
    uuid, display, links: [{ rel: 'self', uri: `${ctx.baseUrl}/${name}/${uuid}`, resourceAlias: name }],
  });
  const location = session.sessionLocationId ? withCache(cache, cache.locations.byId.get(session.sessionLocationId)) : null;
  return {
    sessionId: session.id,
    authenticated: true,
    user: {
      ...ref('user', user.uuid, user.display),
      username: user.username,
      systemId: user.systemId,
      userProperties: {},
      person: ref('person', user.personUuid, user.display),
      privileges: user.privileges.map((p) => ref('privilege', p.uuid, p.name)),
      roles: user.roles.map((r) => ref('role', r.uuid, r.name)),
    },
    locale,
    allowedLocales: ALLOWED_LOCALES,
    sessionLocation: location ? represent(locationDef, location, REF, ctx.baseUrl) : null,
    currentProvider: user.providerUuid ? ref('provider', user.providerUuid, `${user.systemId} - ${user.display}`) : null,
  };
}

export const routes: Route[] = [
  {
    method: 'GET',
    path: '/session',
    cls: 'session',
    access: 'public',
    async handler(ctx) {
      // A blank Basic value or one without a colon is a bad request; wrong credentials are not.
      if (basicCredentials(ctx.req) === 'malformed') throw badRequest('User name and password must be separated by a colon');
      return { body: sessionBody(ctx) };
    },
  },
  {
    method: 'POST',
    path: '/session',
    cls: 'session',
    async handler(ctx) {
      const body = (await ctx.body()) as Record<string, unknown>;
      const session = { ...ctx.session!, id: ctx.session?.id ?? newSessionId() };
      if (body.sessionLocation !== undefined) {
        const loc = typeof body.sessionLocation === 'string' ? ctx.target.cache.locations.byUuid.get(body.sessionLocation) : undefined;
        if (!loc) throw badRequest(`Invalid location: ${JSON.stringify(body.sessionLocation)}`);
        session.sessionLocationId = loc.id;
      }
      if (body.locale !== undefined) {
        if (typeof body.locale !== 'string' || !ALLOWED_LOCALES.includes(body.locale)) {
          throw conversionError(`Locale ${JSON.stringify(body.locale)} is not in allowed locales`);
        }
        session.locale = body.locale;
      }
      await ctx.target.sessions.save(session);
      ctx.session = session;
      return { body: sessionBody(ctx) };
    },
  },
  {
    method: 'DELETE',
    path: '/session',
    cls: 'session',
    access: 'public',
    async handler(ctx) {
      if (ctx.session) await ctx.target.sessions.delete(ctx.session.id);
      ctx.responseHeaders['Set-Cookie'] = 'JSESSIONID=; Path=/openmrs; Max-Age=0; HttpOnly';
      return { status: 204 };
    },
  },
];
