import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { PatientSearch } from '../context.ts';
import { PrefixIndex } from './prefix-index.ts';
import { fold, GROUP, identifierTerm, nameTerms } from './text.ts';

const CHUNK = 50_000;
/** Separates a name row's folded columns in its row text; never occurs in names. */
const SEP = '\u0001';

interface NameRowData {
  pid: number;
  preferred: boolean;
  columns: (string | null)[];
}

export interface LocalIndexStats {
  patients: number;
  nameRows: number;
  nameKeys: number;
  identifiers: number;
  buildMs: number;
}

/**
 * This process's own patient index, standing in for OpenMRS's per-node Lucene index: built from
 * the database at start, then changed only by `patientSaved` for patients this process saved.
 * A patient registered through another replica stays unfindable here until restart — the
 * clustering hazard the workloads are meant to expose, reproduced on purpose.
 */
export class LocalPatientSearch implements PatientSearch {
  readonly mode = 'local' as const;
  /*
   * Per patient a slot in parallel arrays rather than an object with arrays of its own, and its rows
   * chained through rowNext/idNext: at 500k patients that saves millions of small heap objects.
   */
  private readonly slotOf = new Map<number, number>();
  private readonly slotDead: boolean[] = [];
  /** The name row giving the result order (preferred name, else the first), or -1. */
  private readonly slotSortRow: number[] = [];
  private readonly slotSortPreferred: boolean[] = [];
  private readonly slotFirstName: number[] = [];
  private readonly slotFirstId: number[] = [];
  private readonly names = new PrefixIndex();
  private readonly rowPatient: number[] = [];
  /** SEP + the row's folded columns joined by SEP: "every other word starts some column" is one includes() per word. */
  private readonly rowText: string[] = [];
  private readonly rowAlive: boolean[] = [];
  private readonly rowNext: number[] = [];
  private readonly identifiers = new PrefixIndex();
  private readonly idPatient: number[] = [];
  private readonly idAlive: boolean[] = [];
  private readonly idNext: number[] = [];
  private buildMs = 0;

  private constructor(private readonly pool: Pool) {}

  static async build(pool: Pool): Promise<LocalPatientSearch> {
    const started = performance.now();
    const s = new LocalPatientSearch(pool);
    await s.loadAll();
    s.buildMs = Math.round(performance.now() - started);
    return s;
  }

  stats(): LocalIndexStats {
    return {
      patients: this.slotOf.size,
      nameRows: this.rowAlive.filter(Boolean).length,
      nameKeys: this.names.size,
      identifiers: this.idAlive.filter(Boolean).length,
      buildMs: this.buildMs,
    };
  }

  async search(q: string, opts: { includeDead: boolean; cap: number }): Promise<number[]> {
    const hits = new Map<number, number>();
    const hit = (pid: number, group: number) => {
      const prev = hits.get(pid);
      if (prev === undefined || group < prev) hits.set(pid, group);
    };
    const id = identifierTerm(q);
    if (id) {
      this.identifiers.forPrefix(id, (row, key) => {
        if (this.idAlive[row]) hit(this.idPatient[row]!, key === id ? GROUP.identifierExact : GROUP.identifierPrefix);
      });
    }
    const terms = nameTerms(q);
    if (terms.length) {
      // Drive from the rarest word; the others are checked against the same name row.
      const counts = terms.map((t) => this.names.count(t));
      const driver = terms[counts.indexOf(Math.min(...counts))]!;
      const others = terms.filter((t) => t !== driver).map((t) => SEP + t);
      this.names.forPrefix(driver, (row) => {
        if (!this.rowAlive[row]) return;
        const text = this.rowText[row]!;
        if (others.every((t) => text.includes(t))) hit(this.rowPatient[row]!, GROUP.name);
      });
    }
    const found: { pid: number; group: number; key: string }[] = [];
    for (const [pid, group] of hits) {
      const slot = this.slotOf.get(pid);
      if (slot !== undefined && (opts.includeDead || !this.slotDead[slot])) found.push({ pid, group, key: this.sortKey(slot) });
    }
    found.sort((a, b) => a.group - b.group || cmp(a.key, b.key) || a.pid - b.pid);
    return found.slice(0, opts.cap).map((f) => f.pid);
  }

  /** family SEP given of the sort name: SEP sorts below every name character, so this orders by family, then given. */
  private sortKey(slot: number): string {
    const row = this.slotSortRow[slot]!;
    if (row < 0) return '';
    const [, given = '', , family = ''] = this.rowText[row]!.split(SEP);
    return family + SEP + given;
  }

  async patientSaved(patientId: number): Promise<void> {
    const [[p]] = await this.pool.query<RowDataPacket[]>(
      `SELECT ps.dead FROM patient p JOIN person ps ON ps.person_id = p.patient_id
        WHERE p.patient_id = ? AND p.voided = 0 AND ps.voided = 0`,
      [patientId],
    );
    const [names] = p
      ? await this.pool.query<RowDataPacket[]>(
          `SELECT person_id AS pid, preferred, given_name, middle_name, family_name, family_name2 FROM person_name
            WHERE person_id = ? AND voided = 0 ORDER BY person_name_id`,
          [patientId],
        )
      : [[]];
    const [ids] = p
      ? await this.pool.query<RowDataPacket[]>(
          'SELECT patient_id AS pid, identifier FROM patient_identifier WHERE patient_id = ? AND voided = 0 ORDER BY patient_identifier_id',
          [patientId],
        )
      : [[]];
    // One synchronous block: concurrent saves of the same patient cannot interleave their edits.
    this.forget(patientId);
    if (!p) return;
    const slot = this.newSlot(patientId, !!p.dead);
    for (const r of names) this.addName(slot, nameRow(r), true);
    for (const r of ids) this.addIdentifier(slot, r.pid, r.identifier, true);
  }

  private forget(pid: number): void {
    const slot = this.slotOf.get(pid);
    if (slot === undefined) return;
    for (let row = this.slotFirstName[slot]!; row >= 0; row = this.rowNext[row]!) this.rowAlive[row] = false;
    for (let row = this.slotFirstId[slot]!; row >= 0; row = this.idNext[row]!) this.idAlive[row] = false;
    // The slot itself is abandoned: a few per registration, not worth a free list.
    this.slotOf.delete(pid);
  }

  private newSlot(pid: number, dead: boolean): number {
    const slot = this.slotDead.length;
    this.slotDead.push(dead);
    this.slotSortRow.push(-1);
    this.slotSortPreferred.push(false);
    this.slotFirstName.push(-1);
    this.slotFirstId.push(-1);
    this.slotOf.set(pid, slot);
    return slot;
  }

  /** Adds a name row; `live` adds its keys to the index now (after start) rather than in the bulk load. */
  private addName(slot: number, r: NameRowData, live: boolean, bulk?: { keys: string[]; ids: number[] }): void {
    const row = this.rowPatient.length;
    const cols = r.columns.map((c) => (c ? fold(c) : ''));
    this.rowPatient.push(r.pid);
    this.rowText.push(SEP + cols.join(SEP));
    this.rowAlive.push(true);
    this.rowNext.push(this.slotFirstName[slot]!);
    this.slotFirstName[slot] = row;
    // The sort key is the preferred name, else the first name row (rows arrive in id order).
    if (!this.slotSortPreferred[slot] && (r.preferred || this.slotSortRow[slot] === -1)) {
      this.slotSortRow[slot] = row;
      this.slotSortPreferred[slot] = r.preferred;
    }
    for (const key of new Set(cols.filter(Boolean))) {
      if (live) this.names.add(key, row, (id) => this.rowAlive[id] === true);
      else {
        bulk!.keys.push(key);
        bulk!.ids.push(row);
      }
    }
  }

  private addIdentifier(slot: number, pid: number, identifier: string, live: boolean, bulk?: { keys: string[]; ids: number[] }): void {
    const row = this.idPatient.length;
    const key = fold(identifier);
    this.idPatient.push(pid);
    this.idAlive.push(true);
    this.idNext.push(this.slotFirstId[slot]!);
    this.slotFirstId[slot] = row;
    if (live) this.identifiers.add(key, row, (id) => this.idAlive[id] === true);
    else {
      bulk!.keys.push(key);
      bulk!.ids.push(row);
    }
  }

  private async loadAll(): Promise<void> {
    await this.chunked(
      `SELECT p.patient_id AS k, ps.dead FROM patient p JOIN person ps ON ps.person_id = p.patient_id
        WHERE p.voided = 0 AND ps.voided = 0 AND p.patient_id > ? ORDER BY p.patient_id LIMIT ?`,
      (r) => void this.newSlot(r.k, !!r.dead),
    );
    const names = { keys: [] as string[], ids: [] as number[] };
    await this.chunked(
      `SELECT person_name_id AS k, person_id AS pid, preferred, given_name, middle_name, family_name, family_name2
         FROM person_name WHERE voided = 0 AND person_name_id > ? ORDER BY person_name_id LIMIT ?`,
      (r) => {
        const slot = this.slotOf.get(r.pid);
        if (slot !== undefined) this.addName(slot, nameRow(r), false, names);
      },
    );
    this.names.load(names.keys, names.ids);
    const ids = { keys: [] as string[], ids: [] as number[] };
    await this.chunked(
      `SELECT patient_identifier_id AS k, patient_id AS pid, identifier FROM patient_identifier
        WHERE voided = 0 AND patient_identifier_id > ? ORDER BY patient_identifier_id LIMIT ?`,
      (r) => {
        const slot = this.slotOf.get(r.pid);
        if (slot !== undefined) this.addIdentifier(slot, r.pid, r.identifier, false, ids);
      },
    );
    this.identifiers.load(ids.keys, ids.ids);
  }

  /** Keyset-paged reads, so a large database is never buffered whole by the driver. */
  private async chunked(sql: string, each: (r: RowDataPacket) => void): Promise<void> {
    let after = 0;
    for (;;) {
      const [rows] = await this.pool.query<RowDataPacket[]>(sql, [after, CHUNK]);
      for (const r of rows) each(r);
      if (rows.length < CHUNK) return;
      after = rows[rows.length - 1]!.k as number;
    }
  }
}

function nameRow(r: RowDataPacket): NameRowData {
  return { pid: r.pid, preferred: !!r.preferred, columns: [r.given_name, r.middle_name, r.family_name, r.family_name2] };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
