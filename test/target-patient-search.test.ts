import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MariaDbServer } from '../src/infra/mariadb.ts';
import { isValidLuhn30 } from '../src/core/synthetic/luhn30.ts';
import type { RunningTarget } from '../src/target/target.ts';
import { acknowledged, newId, OPENMRS_ID, register, SOURCE, uuidsOf } from './support/patients.ts';
import { call, startDb, startTargetOn } from './support/stack.ts';

describe('reference target: patient search and idgen', () => {
  let db: MariaDbServer;
  let a: RunningTarget; // local index
  let b: RunningTarget; // local index, a second replica
  let c: RunningTarget; // SQL search
  let d: RunningTarget; // SQL search, a second replica

  beforeAll(async () => {
    db = await startDb();
    [a, b, c, d] = await Promise.all([
      startTargetOn(db, { replica: 'a', search: 'local' }),
      startTargetOn(db, { replica: 'b', search: 'local' }),
      startTargetOn(db, { replica: 'c', search: 'db' }),
      startTargetOn(db, { replica: 'd', search: 'db' }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([a, b, c, d].filter(Boolean).map((t) => t.close()));
    await db?.stop();
  });

  describe('search', () => {
    const ps: Record<string, any> = {};
    beforeAll(async () => {
      ps.amara = await register(a, { given: 'Amara', middle: 'Grace', family: 'Okafor', family2: 'Nwosu' });
      ps.grace = await register(a, { given: 'Grace', family: 'Okonkwo' });
      ps.jose = await register(a, { given: 'José', family: 'Muñoz' });
      ps.dead = await register(a, { given: 'Amara', family: 'Deadwood', person: { dead: true, causeOfDeathNonCoded: 'Unknown' } });
      ps.kofi = await register(a, { given: 'Kofi', family: 'Mensah', extraNames: [{ givenName: 'Kwame', familyName: 'Boateng' }] });
      for (const given of ['Gil', 'Fay', 'Eve', 'Dan', 'Cid', 'Ben', 'Ann']) ps[given] = await register(a, { given, family: 'Pagingtest' });
    });

    for (const mode of ['local', 'db'] as const) {
      const t = () => (mode === 'local' ? a : c);
      const q = async (query: string) => uuidsOf(await call(t(), `patient?q=${encodeURIComponent(query)}`));

      it(`${mode}: matches prefixes of given, middle, family and family2 names, all words in one name`, async () => {
        expect(await q('amara oka')).toEqual([ps.amara.uuid]);
        expect(new Set(await q('gra'))).toEqual(new Set([ps.amara.uuid, ps.grace.uuid]));
        expect(await q('nwo')).toEqual([ps.amara.uuid]);
        expect(await q('okafor amara grace')).toEqual([ps.amara.uuid]);
        expect(await q('kwame boat')).toEqual([ps.kofi.uuid]);
        expect(await q('kofi boateng')).toEqual([]);
        expect(await q('amara o')).toEqual([ps.amara.uuid]);
        expect(await q('zzz%')).toEqual([]);
        expect(await q('_m')).toEqual([]);
      });

      it(`${mode}: folds accents and case in both names and queries`, async () => {
        expect(await q('jose munoz')).toEqual([ps.jose.uuid]);
        expect(await q('JOSÉ')).toEqual([ps.jose.uuid]);
        expect(await q('muñ')).toEqual([ps.jose.uuid]);
      });

      it(`${mode}: leaves dead patients out unless includeDead=true, and answers nothing to one character`, async () => {
        expect(await q('amara')).toEqual([ps.amara.uuid]);
        const all = await call(t(), 'patient?q=amara&includeDead=true');
        expect(uuidsOf(all)).toEqual([ps.dead.uuid, ps.amara.uuid]); // Deadwood sorts before Okafor
        expect((await call(t(), 'patient?q=a')).json).toEqual({ results: [] });
        expect((await call(t(), 'patient?q=%20a%20')).json).toEqual({ results: [] });
      });

      it(`${mode}: finds identifiers exactly or by prefix, exact matches first`, async () => {
        const id = ps.grace.display.split(' - ')[0] as string;
        const exact = await q(id.toLowerCase());
        expect(exact[0]).toBe(ps.grace.uuid);
        const prefix = await q(id.slice(0, -1));
        expect(prefix).toContain(ps.grace.uuid);
        const byParam = await call(t(), `patient?identifier=${id}&v=custom:(uuid)`);
        expect(byParam.json.results).toEqual([{ uuid: ps.grace.uuid }]);
      });

      it(`${mode}: pages with next/prev links and totalCount, ordered by family then given name`, async () => {
        const seen: string[] = [];
        let r = await call(t(), 'patient?q=pagingtest&limit=3&totalCount=true&v=custom:(uuid,display)');
        expect(r.json.totalCount).toBe(7);
        expect(r.json.links.map((l: any) => l.rel)).toEqual(['next']);
        seen.push(...uuidsOf(r));
        r = await call(t(), r.json.links[0].uri.replace(/^http:\/\/[^/]+\/openmrs/, ''));
        expect(r.json.links.map((l: any) => l.rel)).toEqual(['next', 'prev']);
        expect(r.json.links[1].uri).toMatch(/startIndex=0/);
        seen.push(...uuidsOf(r));
        r = await call(t(), r.json.links[0].uri.replace(/^http:\/\/[^/]+\/openmrs/, ''));
        expect(r.json.links.map((l: any) => l.rel)).toEqual(['prev']);
        expect(r.json.results).toHaveLength(1);
        seen.push(...uuidsOf(r));
        expect(seen).toEqual(['Ann', 'Ben', 'Cid', 'Dan', 'Eve', 'Fay', 'Gil'].map((g) => ps[g].uuid));
        const noCount = await call(t(), 'patient?q=pagingtest&limit=50');
        expect(noCount.json.totalCount).toBeUndefined();
        expect(noCount.json.links).toBeUndefined();
      });
    }

    it('caps a huge limit at 100', async () => {
      const batch = Array.from({ length: 101 }, (_, i) => i);
      for (let i = 0; i < batch.length; i += 20) {
        await Promise.all(batch.slice(i, i + 20).map((n) => register(a, { given: `Cap${n}`, family: 'Capped' })));
      }
      const r = await call(c, 'patient?q=capped&limit=100000&totalCount=true');
      expect(r.status).toBe(200);
      expect(r.json.results).toHaveLength(100);
      expect(r.json.totalCount).toBe(101);
      expect(r.json.links[0].uri).toMatch(/startIndex=100/);
    });
  });

  describe('replicas', () => {
    it("keeps a local index per replica: a patient registered through A is not found through B's index", async () => {
      const p = await register(a, { given: 'Staleness', family: 'Probe' });
      expect(uuidsOf(await call(a, 'patient?q=staleness'))).toEqual([p.uuid]);
      expect(uuidsOf(await call(b, 'patient?q=staleness'))).toEqual([]);
      expect((await call(b, `patient/${p.uuid}`)).status).toBe(200); // the row itself is in the shared database
      const q = await register(c, { given: 'Shared', family: 'Probe' });
      expect(uuidsOf(await call(c, 'patient?q=shared'))).toEqual([q.uuid]);
      expect(uuidsOf(await call(d, 'patient?q=shared'))).toEqual([q.uuid]);
    });

    it('hands out unique, valid identifiers from two processes at once', async () => {
      const many = (t: RunningTarget) => Promise.all(Array.from({ length: 50 }, () => newId(t)));
      const [fromA, fromC] = await Promise.all([many(a), many(c)]);
      const all = [...fromA, ...fromC];
      expect(new Set(all).size).toBe(100);
      for (const id of all) expect(isValidLuhn30(id), id).toBe(true);
    });

    it('lists identifier sources and auto-generation options', async () => {
      const sources = await call(a, 'idgen/identifiersource?v=default');
      expect(sources.json.results).toEqual([
        expect.objectContaining({ uuid: SOURCE, display: 'Generator for OpenMRS ID', name: 'Generator for OpenMRS ID', identifierType: expect.objectContaining({ uuid: OPENMRS_ID }) }),
      ]);
      const options = await call(a, 'idgen/autogenerationoption?v=full');
      expect(options.json.results).toEqual([
        expect.objectContaining({
          manualEntryEnabled: false, automaticGenerationEnabled: true, location: null,
          source: expect.objectContaining({ uuid: SOURCE }), identifierType: expect.objectContaining({ uuid: OPENMRS_ID }),
        }),
      ]);
    });
  });

  it('keeps every acknowledged registration in the database, each with its OpenMRS ID', async () => {
    expect(acknowledged.length).toBeGreaterThan(100);
    const sql = await mysql.createConnection(db.app);
    const [rows] = await sql.query<mysql.RowDataPacket[]>(
      `SELECT ps.uuid FROM person ps JOIN patient pt ON pt.patient_id = ps.person_id
         JOIN patient_identifier i ON i.patient_id = pt.patient_id AND i.identifier_type = 3 WHERE ps.uuid IN (?)`,
      [acknowledged],
    );
    await sql.end();
    expect(rows.map((r) => r.uuid).sort()).toEqual([...acknowledged].sort());
  });
});
