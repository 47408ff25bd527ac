/** The shim's `k6/metrics`: custom metrics record their samples. */
import { shim } from './state.ts';

class Metric {
  constructor(
    readonly name: string,
    readonly isTime = false,
  ) {}
  add(value: number | boolean, tags: Record<string, string> = {}): void {
    shim.metrics.push({ vu: shim.vu, metric: this.name, value: Number(value), tags: { ...tags } });
  }
}

export class Trend extends Metric {}
export class Counter extends Metric {}
export class Rate extends Metric {}
export class Gauge extends Metric {}

export default { Trend, Counter, Rate, Gauge };
