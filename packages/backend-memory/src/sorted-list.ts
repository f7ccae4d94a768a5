/**
 * An ordered collection kept as a list of small sorted chunks (the layout of
 * Python's `sortedcontainers`). Inserting or deleting touches one chunk of at
 * most `2 * chunkSize` items, finding a position is two binary searches, and
 * the size is a field, so the per-state indexes of a queue stay cheap at any
 * size without a balanced tree.
 *
 * Items must have a total order under `compare` in which no two distinct items
 * compare equal (the memory backend breaks ties with a sequence number).
 *
 * @internal
 */
export class SortedList<T> {
  readonly #compare: (a: T, b: T) => number;
  readonly #chunkSize: number;
  #chunks: T[][] = [];
  #size = 0;

  constructor(compare: (a: T, b: T) => number, chunkSize = 256) {
    this.#compare = compare;
    this.#chunkSize = chunkSize;
  }

  get size(): number {
    return this.#size;
  }

  add(item: T): void {
    this.#size++;
    if (this.#chunks.length === 0) {
      this.#chunks.push([item]);
      return;
    }
    const chunkIndex = Math.min(
      this.#firstChunk((last) => this.#compare(last, item) >= 0),
      this.#chunks.length - 1,
    );
    const chunk = this.#chunks[chunkIndex]!;
    chunk.splice(
      lowerBound(chunk, (x) => this.#compare(x, item) >= 0),
      0,
      item,
    );
    if (chunk.length > this.#chunkSize * 2) {
      this.#chunks.splice(chunkIndex + 1, 0, chunk.splice(this.#chunkSize));
    }
  }

  /** Removes `item` (found by its position in the order); false when it is not in the list. */
  delete(item: T): boolean {
    const chunkIndex = this.#firstChunk((last) => this.#compare(last, item) >= 0);
    const chunk = this.#chunks[chunkIndex];
    if (!chunk) return false;
    const i = lowerBound(chunk, (x) => this.#compare(x, item) >= 0);
    if (i >= chunk.length || chunk[i] !== item) return false;
    chunk.splice(i, 1);
    this.#size--;
    if (chunk.length === 0) {
      this.#chunks.splice(chunkIndex, 1);
    } else if (chunk.length < this.#chunkSize / 4) {
      // Merge a shrunken chunk into its neighbour so long runs of deletes
      // (a drained waiting list) do not leave thousands of tiny chunks.
      const next = this.#chunks[chunkIndex + 1];
      if (next && chunk.length + next.length <= this.#chunkSize * 2) {
        this.#chunks.splice(chunkIndex, 2, chunk.concat(next));
      }
    }
    return true;
  }

  clear(): void {
    this.#chunks = [];
    this.#size = 0;
  }

  first(): T | undefined {
    return this.#chunks[0]?.[0];
  }

  last(): T | undefined {
    const chunk = this.#chunks[this.#chunks.length - 1];
    return chunk?.[chunk.length - 1];
  }

  /**
   * Items in ascending order, starting at the first item for which `atOrAfter`
   * is true (`atOrAfter` must be false for a prefix of the order and true for
   * the rest), or at index `skip` when no predicate is given.
   */
  *ascending(atOrAfter?: (item: T) => boolean, skip = 0): Generator<T, void, undefined> {
    let [ci, i] = atOrAfter ? this.#seek(atOrAfter) : [0, 0];
    [ci, i] = this.#advance(ci, i, skip);
    for (; ci < this.#chunks.length; ci++, i = 0) {
      const chunk = this.#chunks[ci]!;
      for (; i < chunk.length; i++) yield chunk[i]!;
    }
  }

  /**
   * Items in descending order, starting at the last item for which `atOrAfter`
   * is false (so all items before the predicate's boundary), or at the last
   * item minus `skip` when no predicate is given.
   */
  *descending(atOrAfter?: (item: T) => boolean, skip = 0): Generator<T, void, undefined> {
    let ci: number;
    let i: number;
    if (atOrAfter) {
      [ci, i] = this.#seek(atOrAfter);
      i--;
    } else {
      ci = this.#chunks.length - 1;
      i = (this.#chunks[ci]?.length ?? 0) - 1;
    }
    [ci, i] = this.#retreat(ci, i, skip);
    for (; ci >= 0; ci--) {
      const chunk = this.#chunks[ci]!;
      if (i === Number.POSITIVE_INFINITY) i = chunk.length - 1;
      for (; i >= 0; i--) yield chunk[i]!;
      i = Number.POSITIVE_INFINITY;
    }
  }

  /** Index of the first chunk whose last item satisfies `pred` (or the chunk count). */
  #firstChunk(pred: (last: T) => boolean): number {
    let lo = 0;
    let hi = this.#chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const chunk = this.#chunks[mid]!;
      if (pred(chunk[chunk.length - 1]!)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Chunk and in-chunk position of the first item satisfying `pred`. */
  #seek(pred: (item: T) => boolean): [number, number] {
    const ci = this.#firstChunk(pred);
    const chunk = this.#chunks[ci];
    return chunk ? [ci, lowerBound(chunk, pred)] : [ci, 0];
  }

  #advance(ci: number, i: number, skip: number): [number, number] {
    let left = i + skip;
    while (ci < this.#chunks.length && left >= this.#chunks[ci]!.length) {
      left -= this.#chunks[ci]!.length;
      ci++;
    }
    return [ci, left];
  }

  /** Moves `skip` items back from (ci, i), where i may be -1 (before the chunk). */
  #retreat(ci: number, i: number, skip: number): [number, number] {
    let index = i - skip;
    while (ci >= 0 && index < 0) {
      ci--;
      if (ci >= 0) index += this.#chunks[ci]!.length;
    }
    return [ci, index];
  }
}

/** First index of `items` whose item satisfies `pred` (false for a prefix, true after). */
function lowerBound<T>(items: readonly T[], pred: (item: T) => boolean): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (pred(items[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
