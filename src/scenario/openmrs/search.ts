import { step } from '../dsl.ts';
import { StepError, type Step } from '../types.ts';
import { REST, SEARCH_REP } from './constants.ts';
import { linkPath, okJson, results, str } from './util.ts';

export type SearchBy = 'name' | 'identifier' | 'partial';

export interface SearchOptions {
  by: SearchBy;
  /** Pages to read at most, following `links` rel=next as O3's "load more" does (default 1). */
  pages?: number;
  /** The feeder giving patients (default 'patients'): columns name/partialName/identifier (see feeders.ts). */
  feeder?: string;
  name?: string;
}

const COLUMN: Record<SearchBy, string[]> = {
  name: ['name', 'givenName'],
  identifier: ['identifier'],
  partial: ['partialName', 'namePrefix'],
};

function query(feeder: string, by: SearchBy, record: Record<string, string>): string {
  if (by === 'name' && !record.name && record.givenName && record.familyName) return `${record.givenName} ${record.familyName}`;
  for (const c of COLUMN[by]) if (record[c]) return record[c];
  throw new StepError(`searchPatient: feeder '${feeder}' has no ${COLUMN[by].join(' or ')} column for a search by ${by}`, 'feeder');
}

const ageFrom = (birthdate: string | undefined): number | undefined => {
  const t = birthdate ? Date.parse(birthdate) : NaN;
  return Number.isFinite(t) ? Math.floor((Date.now() - t) / (365.25 * 86_400_000)) : undefined;
};

/**
 * The O3 patient search box: GET /patient?q=…&v=<O3's search rep>&limit=10&totalCount=true, then
 * following rel=next up to `pages`. Saves a found patient as `patientUuid` — the fed patient when the
 * results hold it — for openChart and the clinical steps. Exact searches must find someone.
 */
export function searchPatient(opts: SearchOptions): Step {
  const feeder = opts.feeder ?? 'patients';
  const name = opts.name ?? 'searchPatient';
  const pages = Math.max(1, opts.pages ?? 1);
  return step(
    name,
    async (vu) => {
      const record = vu.feed(feeder);
      const q = query(feeder, opts.by, record);
      let path: string | undefined = `${REST}/patient?q=${encodeURIComponent(q)}&v=${SEARCH_REP}&includeDead=false&limit=10&totalCount=true`;
      const found: unknown[] = [];
      for (let page = 1; path && page <= pages; page++) {
        const res = await vu.http.get(path, { name: page === 1 ? name : `${name}:nextPage`, expect: [200] });
        const body = okJson(res);
        found.push(...results(body));
        const links = (body as { links?: { rel?: string; uri?: string }[] } | undefined)?.links ?? [];
        const next = links.find((l) => l.rel === 'next')?.uri;
        path = next ? linkPath(next, vu.basePath) : undefined;
      }
      const uuids = found.map((r) => str(r, 'uuid')).filter((u): u is string => u !== undefined);
      if (opts.by !== 'partial') vu.check(`${name}: ${opts.by} finds patients`, uuids.length > 0);
      if (opts.by === 'identifier' && record.uuid) vu.check(`${name}: identifier finds the patient`, uuids[0] === record.uuid);
      const chosen = record.uuid && uuids.includes(record.uuid) ? record.uuid : uuids[0];
      if (!chosen) {
        // No stale patient from an earlier iteration: the steps after a failed search should say so.
        vu.vars.delete('patientUuid');
        return;
      }
      vu.vars.set('patientUuid', chosen);
      const age = chosen === record.uuid ? ageFrom(record.birthdate) : undefined;
      if (age !== undefined) vu.vars.set('patientAge', age);
      else vu.vars.delete('patientAge');
    },
    [feeder],
  );
}
