/** The shim's `k6/data`: a SharedArray is its callback's array, frozen (k6 shares it read-only between VUs). */
export class SharedArray<T> {
  constructor(_name: string, make: () => T[]) {
    return Object.freeze(make()) as unknown as SharedArray<T>;
  }
}

export default { SharedArray };
