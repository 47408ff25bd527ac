import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../core/errors.ts';
import { DbSnapshot, ResourceLine } from '../core/resources.ts';
import { RunMeta, Summary, TimelineLine, type RunFiles } from '../core/run.ts';

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

function writeAtomic(path: string, value: unknown): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
  renameSync(tmp, path);
}

/**
 * Writes a run directory as the run goes: run.json at once (status `running`), a timeline line
 * the moment each second is over, summary.json every few seconds and at the end. Each file is
 * whole at every instant (appends of complete lines, atomic renames), so a crash or Ctrl-C
 * leaves a directory that reads back as `interrupted`.
 */
export class RunDirectory {
  private constructor(
    readonly dir: string,
    private meta: RunMeta,
  ) {}

  static create(dir: string, meta: RunMeta): RunDirectory {
    mkdirSync(dir, { recursive: true });
    const d = new RunDirectory(dir, RunMeta.parse(meta));
    writeAtomic(join(dir, 'run.json'), d.meta);
    writeFileSync(join(dir, 'timeline.ndjson'), '');
    // A run directory reused with --out starts empty: appending to an earlier run's samples would mix two runs.
    writeFileSync(join(dir, 'resources.ndjson'), '');
    for (const stale of ['summary.json', 'db.json']) rmSync(join(dir, stale), { force: true });
    return d;
  }

  appendTimeline(lines: TimelineLine[]): void {
    if (lines.length) appendFileSync(join(this.dir, 'timeline.ndjson'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  }

  appendResource(line: ResourceLine): void {
    appendFileSync(join(this.dir, 'resources.ndjson'), JSON.stringify(line) + '\n');
  }

  writeDb(snapshot: DbSnapshot): void {
    writeAtomic(join(this.dir, 'db.json'), DbSnapshot.parse(snapshot));
  }

  writeSummary(summary: Summary): void {
    writeAtomic(join(this.dir, 'summary.json'), Summary.parse(summary));
  }

  update(patch: Partial<RunMeta>): void {
    this.meta = RunMeta.parse({ ...this.meta, ...patch });
    writeAtomic(join(this.dir, 'run.json'), this.meta);
  }
}

export type { RunFiles } from '../core/run.ts';

/** Reads and validates a run directory; a `running` run whose engine is gone reads as `interrupted`. */
export function readRun(dir: string): RunFiles {
  const runJson = join(dir, 'run.json');
  if (!existsSync(runJson)) throw new UsageError(`${dir} is not a run directory (no run.json)`, 'give a directory written by `loadlab run` or `loadlab import k6`, e.g. reports/runs/<id>');
  const parse = <T>(what: string, f: () => T): T => {
    try {
      return f();
    } catch (e) {
      throw new UsageError(`${what} in ${dir} is not valid: ${(e as Error).message.split('\n')[0]}`);
    }
  };
  const meta = parse('run.json', () => RunMeta.parse(JSON.parse(readFileSync(runJson, 'utf8'))));
  if (meta.status === 'running' && (meta.pid === process.pid || !isAlive(meta.pid))) meta.status = 'interrupted';
  const ndjson = <T>(name: string, schema: { parse(v: unknown): T }): T[] => {
    const path = join(dir, name);
    if (!existsSync(path)) return [];
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l, i) => parse(`${name} line ${i + 1}`, () => schema.parse(JSON.parse(l))));
  };
  const timeline = ndjson('timeline.ndjson', TimelineLine);
  const resources = ndjson('resources.ndjson', ResourceLine);
  const dbPath = join(dir, 'db.json');
  const db = existsSync(dbPath) ? parse('db.json', () => DbSnapshot.parse(JSON.parse(readFileSync(dbPath, 'utf8')))) : null;
  const sp = join(dir, 'summary.json');
  const summary = existsSync(sp) ? parse('summary.json', () => Summary.parse(JSON.parse(readFileSync(sp, 'utf8')))) : null;
  return { meta, timeline, summary, resources, db };
}
