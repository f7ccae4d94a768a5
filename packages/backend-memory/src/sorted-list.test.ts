import { describe, expect, it } from 'vitest';
import { SortedList } from './sorted-list';

const byValue = (a: { v: number }, b: { v: number }) => a.v - b.v;

/** A deterministic pseudo-random sequence, so a failure reproduces. */
function lcg(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('SortedList', () => {
  it('stays sorted through random inserts and deletes across many chunks', () => {
    const random = lcg(42);
    const list = new SortedList(byValue, 8);
    const reference: { v: number }[] = [];
    for (let i = 0; i < 3000; i++) {
      if (reference.length > 0 && random() < 0.4) {
        const victim = reference.splice(Math.floor(random() * reference.length), 1)[0]!;
        expect(list.delete(victim)).toBe(true);
      } else {
        // Unique values: the list requires a strict total order.
        const item = { v: random() * 1000 + i / 1e6 };
        list.add(item);
        reference.push(item);
      }
    }
    reference.sort(byValue);
    expect(list.size).toBe(reference.length);
    expect([...list.ascending()]).toEqual(reference);
    expect([...list.descending()]).toEqual([...reference].reverse());
    expect(list.first()).toBe(reference[0]);
    expect(list.last()).toBe(reference[reference.length - 1]);
  });

  it('does not delete an item that is not in the list', () => {
    const list = new SortedList(byValue);
    const a = { v: 1 };
    list.add(a);
    expect(list.delete({ v: 1 })).toBe(false);
    expect(list.delete({ v: 2 })).toBe(false);
    expect(list.size).toBe(1);
  });

  it('seeks by predicate and skips, in both directions', () => {
    const list = new SortedList(byValue, 4);
    const items = Array.from({ length: 50 }, (_, i) => ({ v: i }));
    for (const item of [...items].reverse()) list.add(item);
    const after = (n: number) => (x: { v: number }) => x.v > n;
    expect([...list.ascending(after(20))].map((x) => x.v).slice(0, 3)).toEqual([21, 22, 23]);
    expect([...list.ascending(after(20), 5)].map((x) => x.v)[0]).toBe(26);
    expect([...list.ascending(undefined, 48)].map((x) => x.v)).toEqual([48, 49]);
    expect([...list.ascending(undefined, 60)]).toEqual([]);
    const atOrAfter = (n: number) => (x: { v: number }) => x.v >= n;
    expect([...list.descending(atOrAfter(20))].map((x) => x.v).slice(0, 3)).toEqual([19, 18, 17]);
    expect([...list.descending(atOrAfter(20), 17)].map((x) => x.v)).toEqual([2, 1, 0]);
    expect([...list.descending(undefined, 1)].map((x) => x.v)[0]).toBe(48);
    expect([...list.descending(atOrAfter(0))]).toEqual([]);
    expect([...list.descending(atOrAfter(100))].length).toBe(50);
    expect([...new SortedList(byValue).descending()]).toEqual([]);
  });
});
