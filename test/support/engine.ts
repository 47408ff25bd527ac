/**
 * Test doubles for the engine tests: a sink that keeps everything it is told, and small real HTTP
 * servers on 127.0.0.1 (a delay-controlled JSON server and an OpenMRS-like one that records requests).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';
import type { MetricsSink, RequestSample } from '../../src/engine/sink.ts';
import type { Journey, Scenario, Step, VuContext } from '../../src/scenario/types.ts';

export class FakeSink implements MetricsSink {
  samples: RequestSample[] = [];
  checks: { name: string; ok: boolean; step: string }[] = [];
  iterations: { journey: string; ok: boolean }[] = [];
  dropCount = 0;
  vuSamples: { at: number; active: number; allocated: number }[] = [];
  acks: { resource: string; uuid: string; step: string }[] = [];
  events: { at: number; label: string }[] = [];
  request(s: RequestSample): void {
    this.samples.push(s);
  }
  check(name: string, ok: boolean, step: string): void {
    this.checks.push({ name, ok, step });
  }
  iteration(journey: string, _s: number, _e: number, ok: boolean): void {
    this.iterations.push({ journey, ok });
  }
  dropped(_at: number, n = 1): void {
    this.dropCount += n;
  }
  vus(at: number, active: number, allocated: number): void {
    this.vuSamples.push({ at, active, allocated });
  }
  acknowledged(resource: string, uuid: string, step: string): void {
    this.acks.push({ resource, uuid, step });
  }
  event(at: number, label: string): void {
    this.events.push({ at, label });
  }
}

const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** Starts a server on 127.0.0.1:0 (closed after each test); returns its `/openmrs` target URL. */
export async function listen(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/openmrs`;
}

/** A JSON server whose response delay (ms) the test chooses per request, from performance.now(). */
export function delayServer(delayMs: (now: number) => number): Promise<string> {
  return listen((req, res) => {
    req.resume();
    setTimeout(() => {
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true}');
    }, delayMs(performance.now()));
  });
}

/** A port nothing listens on (for connection-refused tests). */
export async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

export interface Seen {
  url: string;
  method: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** An OpenMRS-like server that records what it received; `sessions` lists the JSESSIONIDs it issued. */
export async function fakeOpenmrs(): Promise<{ target: string; seen: Seen[]; sessions: string[] }> {
  const seen: Seen[] = [];
  const sessions: string[] = [];
  const target = await listen((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const url = req.url ?? '';
      seen.push({ url, method: req.method ?? '', headers: req.headers, body });
      const json = (status: number, v: unknown): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(v));
      const cookie = /JSESSIONID=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
      if (url.startsWith('/openmrs/ws/rest/v1/session')) {
        if (!cookie) {
          sessions.push(`s${sessions.length + 1}`);
          res.setHeader('set-cookie', `JSESSIONID=${sessions.at(-1)}; Path=/openmrs; HttpOnly`);
        }
        return json(200, { sessionId: cookie ?? sessions.at(-1), authenticated: Boolean(req.headers.authorization) });
      }
      if (url.startsWith('/openmrs/ws/rest/v1/patient?q=')) return json(200, { results: [{ uuid: 'p-42', display: 'Jane' }] });
      if (url === '/openmrs/ws/rest/v1/patient/p-42') return json(200, { uuid: 'p-42' });
      if (url === '/openmrs/ws/rest/v1/patient' && req.method === 'POST') return json(201, { uuid: `new-${seen.length}` });
      if (url === '/openmrs/ws/rest/v1/patient/p-1/identifier') return json(201, { uuid: 'i-1' });
      if (url === '/openmrs/ws/rest/v1/visit/v-1') return json(200, { uuid: 'v-1' });
      if (url === '/openmrs/lb') res.setHeader('set-cookie', ['SRV=replica-2; Path=/', 'JSESSIONID=lb-s; Path=/']);
      if (url === '/openmrs/served') res.setHeader('x-served-by', 'r7');
      if (url === '/openmrs/logout') res.setHeader('set-cookie', 'JSESSIONID=; Path=/openmrs; Max-Age=0');
      if (url === '/openmrs/slow') return; // never answers
      if (url === '/openmrs/login.htm') {
        res.writeHead(200, { 'content-type': 'text/html;charset=UTF-8' });
        return void res.end('<!DOCTYPE html>\n<html><head><title>OpenMRS - Login</title></head><body>please log in</body></html>');
      }
      const status = /^\/openmrs\/status\/(\d+)$/.exec(url)?.[1];
      json(status ? Number(status) : 200, { cookie: req.headers.cookie ?? null });
    });
  });
  return { target, seen, sessions };
}

export const step = (name: string, run: (vu: VuContext) => Promise<void>): { step: Step } => ({ step: { name, run } });

export function scenarioOf(items: Journey['items'], extra: Partial<Scenario> = {}): Scenario {
  return { name: 't', description: '', profiles: {}, defaultProfile: 'smoke', journeys: [{ name: 'j', weight: 1, items }], ...extra };
}
