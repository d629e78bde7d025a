/** A count plus the first few examples: what a summary and an alert can show without growing unbounded. */
export interface Sample<T> {
  count: number;
  first: T[];
}

export class Tally<T> {
  count = 0;
  readonly first: T[] = [];
  constructor(private readonly keep: number) {}
  add(item: T): void {
    this.count++;
    if (this.first.length < this.keep) this.first.push(item);
  }
  toJSON(): Sample<T> {
    return { count: this.count, first: [...this.first] };
  }
}
