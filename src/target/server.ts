import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Method, RequestContext, Route, TargetContext } from './context.ts';
import { badRequest, methodNotAllowed, notFound, RestError, unauthorized, forbidden } from './errors.ts';
import { Router } from './router.ts';
import { hasPrivilege, type User } from './users.ts';
import { newSessionId } from './sessions.ts';

const REST = '/openmrs/ws/rest/v1';
const FHIR = '/openmrs/ws/fhir2/R4';
const MAX_BODY = 2 * 1024 * 1024;
/** Requests that read metadata straight from the cache; with a shared cache they check it is current first. */
const METADATA_CLASSES = new Set(['metadata', 'location', 'concept']);

export interface ServerOptions {
  /** Per request class, a factor >1 that stretches handling time (`--slowdown search=1.2`). */
  slowdown?: Record<string, number>;
}

/** Reads `JSESSIONID` from the Cookie header (a load balancer may have prefixed it `w1~`). */
function sessionCookie(req: IncomingMessage): string | undefined {
  const m = /(?:^|;\s*)JSESSIONID=([^;]+)/.exec(req.headers.cookie ?? '');
  return m?.[1]?.replace(/^[^~]*~/, '');
}

/** Decodes `Authorization: Basic …`; 'malformed' for a blank value or one without a colon. */
export function basicCredentials(req: IncomingMessage): { user: string; password: string } | 'malformed' | undefined {
  const h = req.headers.authorization;
  if (!h || !/^basic\b/i.test(h)) return undefined;
  const decoded = Buffer.from(h.slice(5).trim(), 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (!decoded || i < 0) return 'malformed';
  return { user: decoded.slice(0, i), password: decoded.slice(i + 1) };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new RestError(413, 'Request body too large', 'webservices.rest.error.body.too.large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function createTargetServer(target: TargetContext, routes: { rest: Route[]; fhir: Route[] }, opts: ServerOptions = {}) {
  const rest = new Router(routes.rest);
  const fhir = new Router(routes.fhir);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://target');
    const method = (req.method ?? 'GET').toUpperCase() as Method;
    res.setHeader('X-Served-By', target.replica);
    let cls = 'other';
    try {
      if (url.pathname === '/openmrs/health/started' || url.pathname === '/openmrs/health/started/') {
        return send(res, 200, { status: 'UP', replica: target.replica });
      }
      const isRest = url.pathname.startsWith(REST);
      const isFhir = url.pathname.startsWith(FHIR);
      if (!isRest && !isFhir) throw notFound(`No resource at ${url.pathname}`);
      const path = url.pathname.slice((isRest ? REST : FHIR).length) || '/';
      const m = (isRest ? rest : fhir).match(method, path);
      if (m === 'method') throw methodNotAllowed(method);
      if (!m) throw notFound(`Unknown resource: ${path}`);
      cls = m.route.cls;
      const host = req.headers.host ?? 'localhost';
      let bodyPromise: Promise<unknown> | undefined;
      const ctx: RequestContext = {
        target,
        req,
        method,
        path,
        params: m.params,
        query: url.searchParams,
        baseUrl: `http://${host}${REST}`,
        fhirBase: `http://${host}${FHIR}`,
        responseHeaders: {},
        body: () =>
          (bodyPromise ??= readBody(req).then((text) => {
            if (!text.trim()) return {};
            try {
              return JSON.parse(text);
            } catch (e) {
              throw badRequest(`Could not read JSON: ${(e as Error).message}`);
            }
          })),
        requirePrivilege(privilege: string) {
          const user = ctx.currentUser();
          if (!hasPrivilege(user, privilege)) throw forbidden(privilege);
        },
        currentUser(): User {
          if (!ctx.user) throw unauthorized();
          return ctx.user;
        },
      };
      await authenticate(ctx, m.route.access === 'public');
      if (target.cacheMode === 'shared' && METADATA_CLASSES.has(cls)) await target.cache.syncWith(target.pool);
      const reply = await m.route.handler(ctx);
      const factor = opts.slowdown?.[cls];
      if (factor && factor > 1) await new Promise((r) => setTimeout(r, (performance.now() - started) * (factor - 1)));
      for (const [k, v] of Object.entries(ctx.responseHeaders)) res.setHeader(k, v);
      if (reply.status === 204) {
        res.writeHead(204).end();
        return;
      }
      send(res, reply.status ?? 200, reply.body ?? {}, reply.contentType);
    } catch (e) {
      if (e instanceof RestError) {
        if (e.status === 401 && req.headers['disable-www-authenticate'] !== 'true') {
          res.setHeader('WWW-Authenticate', 'Basic realm="OpenMRS at /openmrs"');
        }
        return send(res, e.status, e.body());
      }
      const err = e as Error & { code?: string; sqlMessage?: string };
      target.log(`[${target.replica}] 500 ${method} ${url.pathname} (${cls}): ${err.code ? err.code + ' ' : ''}${err.sqlMessage ?? err.message}`);
      send(res, 500, { error: { message: `[${err.sqlMessage ?? err.message}]`, code: err.code ?? 'java.lang.RuntimeException', detail: '' } });
    }
  }

  /** Cookie session first; Basic credentials on any request log in (and create a session), as OpenMRS's filter does. */
  async function authenticate(ctx: RequestContext, isPublic: boolean): Promise<void> {
    const sid = sessionCookie(ctx.req);
    if (sid) {
      const s = await target.sessions.get(sid);
      if (s) {
        ctx.session = s;
        ctx.user = await target.users.get(s.userId);
      }
    }
    const creds = basicCredentials(ctx.req);
    if (!ctx.user && creds && creds !== 'malformed') {
      const user = await target.users.authenticate(creds.user, creds.password);
      if (user) {
        const s = { id: ctx.session?.id ?? newSessionId(), userId: user.id, locale: 'en_GB', sessionLocationId: null };
        await target.sessions.save(s);
        ctx.session = s;
        ctx.user = user;
        ctx.responseHeaders['Set-Cookie'] = `JSESSIONID=${s.id}; Path=/openmrs; HttpOnly`;
      } else if (!isPublic) {
        throw unauthorized();
      }
    }
    if (!ctx.user && !isPublic) throw unauthorized();
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      target.log(`[${target.replica}] 500 unhandled: ${(e as Error).message}`);
      if (!res.headersSent) send(res, 500, { error: { message: 'Internal error', code: '', detail: '' } });
    });
  });
  server.keepAliveTimeout = 65_000;
  return {
    server,
    listen(port: number, host = '127.0.0.1'): Promise<number> {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
      });
    },
    close(): Promise<void> {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function send(res: ServerResponse, status: number, body: unknown, contentType = 'application/json;charset=UTF-8'): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
