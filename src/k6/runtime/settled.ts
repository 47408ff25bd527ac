/**
 * A promise that is already settled. k6's HTTP calls block and return their response, so in an
 * exported scenario every `await` can be answered at once: the k6 HTTP wrapper hands steps Settled
 * values where they expect promises, and the synchronous __awaiter (tslib.ts) unwraps them. Old k6
 * (goja before async support) can then run steps written as async functions, once TypeScript has
 * lowered them to ES5 state machines.
 */
export class Settled<T = unknown> {
  constructor(
    readonly ok: boolean,
    readonly value: T | undefined,
    readonly error: unknown,
  ) {}

  /** Like Promise.prototype.then, but runs the callback now and returns another Settled. */
  then<R1 = T, R2 = never>(onOk?: ((v: T) => R1) | null, onError?: ((e: unknown) => R2) | null): Settled<R1 | R2> {
    try {
      if (this.ok) return onOk ? toSettled(onOk(this.value as T)) : (this as unknown as Settled<R1>);
      return onError ? toSettled(onError(this.error)) : (this as unknown as Settled<R2>);
    } catch (e) {
      return rejected(e);
    }
  }

  catch<R = never>(onError: (e: unknown) => R): Settled<T | R> {
    return this.then<T, R>(undefined, onError);
  }
}

export const resolved = <T>(value: T): Settled<T> => new Settled<T>(true, value, undefined);
export const rejected = <T = never>(error: unknown): Settled<T> => new Settled<T>(false, undefined, error);

export const isThenable = (v: unknown): boolean =>
  v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';

/** Said when a step awaits something that only settles later: nothing here can wait for it. */
export function realPromiseError(): Error {
  return new Error(
    'k6 export: a step awaited a real Promise (Promise.all, a timer, fetch, …), which cannot settle while k6 runs the ' +
      'step synchronously. Await only vu.http calls and async functions of the scenario; for requests in parallel use ' +
      'vu.http.batch (see fanOut in src/scenario/openmrs/util.ts).',
  );
}

/** A value as a Settled: Settled values as they are, plain values resolved, real promises refused. */
export function toSettled<T>(v: T | Settled<T>): Settled<T> {
  if (v instanceof Settled) return v;
  if (isThenable(v)) return rejected(realPromiseError());
  return resolved(v as T);
}
