import type { SlotTable } from './slot-table';

/**
 * The best `limit` slots offered so far, kept sorted best first. Offers that
 * cannot enter a full list cost one comparison, so feeding it 100k candidates
 * for a limit of 10 stays linear.
 */
export class TopHits {
  readonly slots: number[] = [];

  constructor(
    private readonly table: SlotTable<unknown>,
    readonly limit: number,
  ) {}

  get full(): boolean {
    return this.slots.length >= this.limit;
  }

  /** The worst slot kept; only meaningful when `full`. */
  get worst(): number {
    return this.slots[this.slots.length - 1]!;
  }

  offer(slot: number): void {
    const list = this.slots;
    if (list.length >= this.limit && !this.table.outranks(slot, list[list.length - 1]!)) return;
    let i = list.length < this.limit ? list.length : list.length - 1;
    if (list.length < this.limit) list.push(slot);
    while (i > 0 && this.table.outranks(slot, list[i - 1]!)) {
      list[i] = list[i - 1]!;
      i--;
    }
    list[i] = slot;
  }
}
