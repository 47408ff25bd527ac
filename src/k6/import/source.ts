/**
 * Opening one input file: gzip is recognised by its magic bytes (k6 gzips when the name ends in .gz, but
 * files get renamed), and the kind — k6 NDJSON or a summary export — by the content, never the name.
 * NDJSON is streamed line by line: a pod's output of a long run does not fit in memory.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { UsageError } from '../../core/errors.ts';
import { looksLikeK6Line } from './lines.ts';

/** A summary export is one JSON document; larger than this it is not one. */
const SUMMARY_MAX_BYTES = 64 * 1024 * 1024;

/** Lines of a file, with their numbers; stream errors (a truncated gzip, say) surface as UsageErrors. */
export class LineReader {
  private lineNo = 0;
  private error: Error | null = null;
  private readonly iterator: AsyncIterator<string>;
  private readonly pushedBack: string[] = [];

  constructor(
    readonly file: string,
    gzipped: boolean,
  ) {
    const raw = createReadStream(file);
    let stream: Readable = raw;
    const fail = (e: Error) => {
      this.error ??= e;
      rl.close();
    };
    raw.on('error', fail);
    if (gzipped) {
      const gunzip = createGunzip();
      gunzip.on('error', fail);
      stream = raw.pipe(gunzip);
    }
    const rl = createInterface({ input: stream, crlfDelay: Infinity });
    // readline re-emits its input's errors; unheard, they would end the process.
    rl.on('error', fail);
    this.iterator = rl[Symbol.asyncIterator]();
  }

  /** The next line and its 1-based number, or null at the end. */
  async next(): Promise<{ text: string; lineNo: number } | null> {
    const back = this.pushedBack.pop();
    if (back !== undefined) return { text: back, lineNo: this.lineNo };
    let r: IteratorResult<string>;
    try {
      r = await this.iterator.next();
    } catch (e) {
      this.error ??= e as Error;
      r = { done: true, value: undefined };
    }
    if (this.error) throw new UsageError(`${this.file}: cannot read after line ${this.lineNo}: ${this.error.message}`);
    if (r.done) return null;
    this.lineNo++;
    return { text: r.value, lineNo: this.lineNo };
  }

  /** Returns the line just read (only that one) so that the next call yields it again. */
  unread(text: string): void {
    this.pushedBack.push(text);
  }

  async close(): Promise<void> {
    await this.iterator.return?.();
  }
}

export type K6Source = { kind: 'ndjson'; file: string; gzipped: boolean; lines: LineReader } | { kind: 'summary'; file: string; data: Record<string, unknown> };

async function isGzip(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await fh.read(buf, 0, 2, 0);
    return bytesRead === 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

async function readAll(lines: LineReader, first: string): Promise<string> {
  const parts = [first];
  let size = first.length;
  for (let l = await lines.next(); l; l = await lines.next()) {
    parts.push(l.text);
    size += l.text.length + 1;
    if (size > SUMMARY_MAX_BYTES) throw new UsageError(`${lines.file}:1: not a k6 JSON line, and too large for a summary export`);
  }
  return parts.join('\n');
}

/** Opens `file` and tells its kind from its first non-blank line (the whole document for a summary export). */
export async function openSource(file: string): Promise<K6Source> {
  try {
    const s = await stat(file);
    if (!s.isFile()) throw new UsageError(`${file} is not a file`);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'give k6 JSON outputs (k6 run --out json=FILE) or summary exports');
  }
  let gzipped: boolean;
  try {
    gzipped = await isGzip(file);
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const lines = new LineReader(file, gzipped);
  let first = await lines.next();
  while (first && !first.text.trim()) first = await lines.next();
  if (!first) {
    await lines.close();
    throw new UsageError(`${file} is empty`, 'a k6 JSON output has one Metric or Point object per line');
  }
  if (looksLikeK6Line(first.text)) {
    lines.unread(first.text);
    return { kind: 'ndjson', file, gzipped, lines };
  }
  // Not a k6 line: a summary export (one JSON object, usually indented over many lines), or garbage.
  const lineNo = first.lineNo;
  const text = first.text.trimStart().startsWith('{') ? await readAll(lines, first.text) : null;
  await lines.close();
  let doc: unknown;
  try {
    doc = text === null ? undefined : JSON.parse(text);
  } catch {
    doc = undefined;
  }
  const isSummary = typeof doc === 'object' && doc !== null && !Array.isArray(doc) && typeof (doc as Record<string, unknown>).metrics === 'object';
  if (!isSummary) {
    throw new UsageError(
      `${file}:${lineNo}: not a k6 JSON line, nor a k6 summary export`,
      'expected `k6 run --out json=FILE` output (NDJSON, optionally gzipped) or a --summary-export / handleSummary JSON',
    );
  }
  return { kind: 'summary', file, data: doc as Record<string, unknown> };
}
