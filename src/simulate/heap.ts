/** A binary min-heap: the event queue and the prioritized job sets both need "smallest first". */
export class Heap<T> {
  readonly #items: T[] = [];
  readonly #before: (a: T, b: T) => boolean;

  constructor(before: (a: T, b: T) => boolean) {
    this.#before = before;
  }

  get size(): number {
    return this.#items.length;
  }

  peek(): T | undefined {
    return this.#items[0];
  }

  push(item: T): void {
    const items = this.#items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#swapIfBefore(i, parent)) break;
      i = parent;
    }
  }

  pop(): T | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    items[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < items.length && this.#isBefore(left, smallest)) smallest = left;
      if (right < items.length && this.#isBefore(right, smallest)) smallest = right;
      if (smallest === i) return top;
      this.#swapIfBefore(smallest, i);
      i = smallest;
    }
  }

  #isBefore(i: number, j: number): boolean {
    const a = this.#items[i];
    const b = this.#items[j];
    return a !== undefined && b !== undefined && this.#before(a, b);
  }

  #swapIfBefore(i: number, j: number): boolean {
    const a = this.#items[i];
    const b = this.#items[j];
    if (a === undefined || b === undefined || !this.#before(a, b)) return false;
    this.#items[i] = b;
    this.#items[j] = a;
    return true;
  }
}
