import { failedOf, type RunWindow, type StepWindow, type TimelineLine } from '../core/run.ts';
import { decodeHistogram } from '../core/histogram.ts';

const clock = (s: number) => `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(Math.floor(s % 60)).padStart(2, '0')}`;

/**
 * The live display: on a terminal a bar redrawn each second (elapsed/total, VUs, req/s, p95,
 * errors); elsewhere (CI logs) one plain line every `plainEvery` seconds.
 */
export class Progress {
  private requests = 0;
  private errors = 0;
  private lastLine = -Infinity;
  private readonly tty: boolean;

  constructor(
    private readonly plannedSeconds: number,
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly plainEvery = 10,
  ) {
    this.tty = !!out.isTTY && !process.env.CI;
  }

  /** Called with each second's timeline lines. */
  second(lines: TimelineLine[]): void {
    const steps = lines.filter((l): l is StepWindow => l.type === 'step');
    const run = lines.find((l): l is RunWindow => l.type === 'run');
    if (!run) return;
    let count = 0;
    let p95 = 0;
    for (const s of steps) {
      count += s.count;
      this.errors += failedOf(s);
      const h = decodeHistogram(s.latency);
      p95 = Math.max(p95, h.getValueAtPercentile(95) / 1000);
      h.destroy();
    }
    this.requests += count;
    const elapsed = run.t + 1;
    const errPct = this.requests ? (100 * this.errors) / this.requests : 0;
    const figures = `VUs ${run.vus}  ${count} req/s  p95 ${p95.toFixed(0)} ms  errors ${errPct.toFixed(1)}%${run.dropped ? `  dropped ${run.dropped}` : ''}`;
    if (this.tty) {
      const width = 24;
      const done = Math.min(width, Math.round((elapsed / Math.max(1, this.plannedSeconds)) * width));
      this.out.write(`\r[${'='.repeat(done)}${' '.repeat(width - done)}] ${clock(elapsed)}/${clock(this.plannedSeconds)}  ${figures}\x1b[K`);
    } else if (elapsed - this.lastLine >= this.plainEvery) {
      this.lastLine = elapsed;
      this.out.write(`${clock(elapsed)}/${clock(this.plannedSeconds)}  ${figures}\n`);
    }
  }

  event(label: string): void {
    this.out.write(`${this.tty ? '\n' : ''}* ${label}\n`);
  }

  done(): void {
    if (this.tty) this.out.write('\n');
  }
}
