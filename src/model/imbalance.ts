/**
 * Sticky sessions pin each user to one replica, so with few users the split is lumpy: the busiest replica carries
 * more than 1/N of the sessions and saturates first. We model the split as balls into bins — n sessions each
 * assigned uniformly at random to one of N replicas — and give the busiest replica its expected share.
 *
 * The count in each bin is ≈ n/N + √(n/N)·(Z_i − Z̄) for iid standard normals Z_i (the normal approximation to the
 * multinomial, with the right variance n(1/N)(1 − 1/N)), so E[max count] ≈ n/N + √(n/N)·e_N with e_N the expected
 * maximum of N standard normals. It is clamped to [⌈n/N⌉, n], which makes it exact for one user and close for
 * two (n = 2, N = 4: 1.23 against the exact 1.25).
 */

const expectedMaxCache = new Map<number, number>();

/**
 * e_N = E[max of N iid standard normals] = ∫ x d(Φ(x)^N), by a Stieltjes sum over a fine grid; Φ is built by
 * integrating the density on the same grid, so no erf approximation is needed. e_1 = 0, e_2 = 1/√π ≈ 0.5642.
 */
export function expectedMaxOfNormals(count: number): number {
  if (count <= 1) return 0;
  const cached = expectedMaxCache.get(count);
  if (cached !== undefined) return cached;
  const lo = -10;
  const hi = 10;
  const steps = 8000;
  const h = (hi - lo) / steps;
  const density = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
  let cdf = 0;
  let previousPower = 0;
  let expectation = 0;
  for (let i = 0; i < steps; i++) {
    const x = lo + i * h;
    cdf += (h / 2) * (density(x) + density(x + h)); // Φ(x + h) by the trapezoid rule
    const power = Math.min(1, cdf) ** count;
    expectation += (x + h / 2) * (power - previousPower);
    previousPower = power;
  }
  expectedMaxCache.set(count, expectation);
  return expectation;
}

/** Expected share of all sessions on the busiest of `replicas` replicas when `users` sessions are pinned at random. */
export function stickyHotShare(users: number, replicas: number): number {
  if (replicas <= 1) return 1;
  if (!(users > 0)) return 1 / replicas;
  const mean = users / replicas;
  const expectedMax = mean + Math.sqrt(mean) * expectedMaxOfNormals(replicas);
  const clamped = Math.min(users, Math.max(Math.ceil(mean - 1e-9), expectedMax));
  return clamped / users;
}
