/**
 * A map of records by id that also keeps its ids in ascending order, so a list page over an id
 * window finds its first record by binary search instead of scanning every record. Ids that arrive
 * in ascending order (the usual case: new records get the next id) are appended; any other order
 * marks the index for one re-sort on the next read.
 */
export class IdMap<V> extends Map<number, V> {
  private ids: number[] = [];
  private sorted = true;

  override set(id: number, value: V): this {
    if (!super.has(id)) {
      const last = this.ids[this.ids.length - 1];
      if (last !== undefined && id < last) this.sorted = false;
      this.ids.push(id);
    }
    return super.set(id, value);
  }

  override delete(id: number): boolean {
    if (!super.delete(id)) return false;
    if (this.sorted) this.ids.splice(lowerBound(this.ids, id), 1);
    else this.ids = this.ids.filter((each) => each !== id);
    return true;
  }

  override clear(): void {
    super.clear();
    this.ids = [];
    this.sorted = true;
  }

  /** Every id, ascending. The array is the index itself: read it, never change it. */
  sortedIds(): readonly number[] {
    if (!this.sorted) {
      this.ids.sort((a, b) => a - b);
      this.sorted = true;
    }
    return this.ids;
  }
}

/** The first position in ascending `ids` whose id is at least `id`. */
export function lowerBound(ids: readonly number[], id: number): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid]! < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
