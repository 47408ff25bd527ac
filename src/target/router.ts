import type { Method, Route } from './context.ts';

interface Compiled {
  route: Route;
  re: RegExp;
  keys: string[];
}

/** Matches `/patient/:uuid`-style paths; tells 404 (no path) from 405 (path, other method). */
export class Router {
  private readonly compiled: Compiled[] = [];

  constructor(routes: Route[]) {
    for (const route of routes) {
      const keys: string[] = [];
      const pattern = route.path
        .split('/')
        .map((seg) => {
          if (seg.startsWith(':')) {
            keys.push(seg.slice(1));
            return '([^/]+)';
          }
          return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        })
        .join('/');
      this.compiled.push({ route, keys, re: new RegExp(`^${pattern}/?$`, 'i') });
    }
  }

  match(method: Method, path: string): { route: Route; params: Record<string, string> } | 'method' | undefined {
    let pathMatched = false;
    for (const c of this.compiled) {
      const m = c.re.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (c.route.method !== method) continue;
      const params: Record<string, string> = {};
      c.keys.forEach((k, i) => (params[k] = decodeURIComponent(m[i + 1]!)));
      return { route: c.route, params };
    }
    return pathMatched ? 'method' : undefined;
  }
}
