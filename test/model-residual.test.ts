import { describe, expect, it } from 'vitest';
import { Model } from '../src/core/model.ts';
import { lightLoadMeans, withResidualWait, WAIT_STATION, type LatencyWindow } from '../src/model/residual.ts';
import { project } from '../src/model/solve.ts';
import { clinicModel, oneBox } from './model-fixture.ts';

describe('residual wait', () => {
  it('adds the time outside the CPUs as a delay, never negative, and keeps the model valid', () => {
    const base = clinicModel();
    const cpu = (name: string) => Object.values(base.classes.find((c) => c.name === name)!.demands).reduce((a, b) => a + b, 0);
    const [first, second] = base.classes;
    const measured = { [first!.name]: cpu(first!.name) + 0.02, [second!.name]: cpu(second!.name) / 2 };
    const m = Model.parse(withResidualWait(base, measured));
    expect(m.stations.find((s) => s.name === WAIT_STATION)).toMatchObject({ kind: 'delay', role: 'network' });
    expect(m.classes[0]!.demands[WAIT_STATION]).toBeCloseTo(0.02, 9);
    expect(m.classes[1]!.demands[WAIT_STATION]).toBe(0);
    expect(withResidualWait(m, measured)).toBe(m); // applying it twice changes nothing
  });

  it('raises projected response times by the delay, leaving capacity alone', () => {
    const base = clinicModel();
    const measured = Object.fromEntries(base.classes.map((c) => [c.name, Object.values(c.demands).reduce((a, b) => a + b, 0) + 0.05]));
    const before = project(base, oneBox, { users: [1, 400] });
    const after = project(withResidualWait(base, measured), oneBox, { users: [1, 400] });
    const r = (p: typeof before, i: number) => Object.values(p.points[i]!.responseTimeMean)[0]!;
    expect(r(after, 0) - r(before, 0)).toBeCloseTo(0.05, 2);
    expect(after.saturation.maxThroughput).toBeCloseTo(before.saturation.maxThroughput, 6);
  });
});

describe('light-load means for the residual', () => {
  it('takes the lightest third of the windows, so queueing near saturation stays out of the fixed delay', () => {
    const w = (n: number, meanSeconds: number) => ({ perClass: { search: { count: n, latencySeconds: n * meanSeconds } } });
    const windows = [w(10, 0.01), w(20, 0.012), w(30, 0.011), w(40, 0.05), w(50, 0.5), w(60, 2)];
    expect(lightLoadMeans(windows).search).toBeCloseTo((10 * 0.01 + 20 * 0.012) / 30, 9);
  });

  it('a class seen only under load gets its mean over all windows', () => {
    const windows: LatencyWindow[] = [
      { perClass: { a: { count: 5, latencySeconds: 0.05 } } },
      { perClass: { a: { count: 10, latencySeconds: 0.1 } } },
      { perClass: { a: { count: 20, latencySeconds: 0.4 }, b: { count: 4, latencySeconds: 2 } } },
    ];
    const means = lightLoadMeans(windows);
    expect(means.a).toBeCloseTo(0.01, 9);
    expect(means.b).toBeCloseTo(0.5, 9);
    expect(lightLoadMeans([])).toEqual({});
  });
});
