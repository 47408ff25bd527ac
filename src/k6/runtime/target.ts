/**
 * Where requests go, as the engine's HttpTransport decides it (src/engine/http.ts), without URL:
 * old k6 has no global URL class.
 */
export interface Target {
  /** `http://host:port` */
  origin: string;
  /** Path prefix every step path hangs off, e.g. `/openmrs`. */
  prefix: string;
}

/** `/openmrs` for target `http://h/openmrs` or `http://h`, and `/proxy/openmrs` for `http://h/proxy`. */
export function joinPrefix(targetPath: string, basePath: string): string {
  const t = targetPath.replace(/\/+$/, '');
  const b = basePath.replace(/\/+$/, '');
  if (!b || t.slice(-b.length) === b) return t;
  return t + (b.charAt(0) === '/' ? b : `/${b}`);
}

export function parseTarget(url: string, basePath: string): Target {
  const m = /^(https?:\/\/[^/?#]+)([^?#]*)/i.exec(url.trim());
  if (!m) throw new Error(`LOADLAB_TARGET '${url}' is not an http(s) URL (e.g. http://openmrs.example.org:8080)`);
  return { origin: m[1]!, prefix: joinPrefix(m[2] ?? '', basePath) };
}

/**
 * The URL of a step's path. Absolute URLs (OpenMRS `links`) are rebased onto the target, as the
 * engine does: OpenMRS names itself by its own idea of its host, and load must only go to the target.
 */
export function resolveUrl(t: Target, path: string): string {
  if (path.charAt(0) === '/') return t.origin + t.prefix + path;
  const abs = /^https?:\/\/[^/?#]*(.*)$/i.exec(path);
  if (abs) return t.origin + (abs[1]!.split('#')[0] || '/');
  return `${t.origin}${t.prefix}/${path}`;
}
