/**
 * Sorted (key, id) pairs answering "every id whose key starts with p" by two binary searches.
 *
 * Chosen over a map of edge n-grams: for 500k patients (~2M name keys) an n-gram map would hold
 * ~10M postings under ~1M distinct keys (hundreds of MiB of Map entries), while two parallel arrays
 * cost ~16 bytes per key plus the strings, and a prefix range is found in ~21 comparisons. Additions
 * go to a small unsorted tail that is scanned linearly and merged in (O(n), dropping dead ids) once
 * it grows, so a registration never re-sorts the whole index.
 */
export class PrefixIndex {
  private keys: string[] = [];
  private ids: Int32Array = new Int32Array(0);
  private tailKeys: string[] = [];
  private tailIds: number[] = [];

  constructor(private readonly mergeAt = 4096) {}

  /** Replaces the contents with these pairs (sorted once, for the start-up build). */
  load(keys: string[], ids: number[]): void {
    const order = Array.from(keys, (_, i) => i).sort((a, b) => cmp(keys[a]!, keys[b]!));
    this.keys = order.map((i) => keys[i]!);
    this.ids = Int32Array.from(order, (i) => ids[i]!);
    this.tailKeys = [];
    this.tailIds = [];
  }

  get size(): number {
    return this.keys.length + this.tailKeys.length;
  }

  /** Adds a pair; merges the tail into the sorted part once it is long, dropping ids `alive` rejects. */
  add(key: string, id: number, alive: (id: number) => boolean): void {
    this.tailKeys.push(key);
    this.tailIds.push(id);
    if (this.tailKeys.length >= this.mergeAt) this.merge(alive);
  }

  /** How many entries a prefix visits (an upper bound; used to pick the most selective word). */
  count(prefix: string): number {
    const [lo, hi] = this.range(prefix);
    return hi - lo + this.tailKeys.length;
  }

  forPrefix(prefix: string, fn: (id: number, key: string) => void): void {
    const [lo, hi] = this.range(prefix);
    for (let i = lo; i < hi; i++) fn(this.ids[i]!, this.keys[i]!);
    for (let i = 0; i < this.tailKeys.length; i++) {
      const k = this.tailKeys[i]!;
      if (k.startsWith(prefix)) fn(this.tailIds[i]!, k);
    }
  }

  private range(prefix: string): [number, number] {
    const keys = this.keys;
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid]! < prefix) lo = mid + 1;
      else hi = mid;
    }
    const start = lo;
    // Keys starting with `prefix` are contiguous: their first |prefix| characters equal it.
    hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid]!.slice(0, prefix.length) <= prefix) lo = mid + 1;
      else hi = mid;
    }
    return [start, lo];
  }

  private merge(alive: (id: number) => boolean): void {
    const order = this.tailKeys.map((_, i) => i).sort((a, b) => cmp(this.tailKeys[a]!, this.tailKeys[b]!));
    const keys: string[] = [];
    const ids: number[] = [];
    let i = 0;
    let j = 0;
    const n = this.keys.length;
    while (i < n || j < order.length) {
      const t = order[j];
      const takeTail = t !== undefined && (i >= n || this.tailKeys[t]! < this.keys[i]!);
      const key = takeTail ? this.tailKeys[t]! : this.keys[i]!;
      const id = takeTail ? this.tailIds[t]! : this.ids[i]!;
      if (takeTail) j++;
      else i++;
      if (alive(id)) {
        keys.push(key);
        ids.push(id);
      }
    }
    this.keys = keys;
    this.ids = Int32Array.from(ids);
    this.tailKeys = [];
    this.tailIds = [];
  }
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
