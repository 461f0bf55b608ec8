/**
 * Keeps the values of one label bounded per group: the first `limit` distinct values of a group
 * are used as they are, later ones become `overflow`. Every label value is a time series in
 * Prometheus; instances come and go (restarts, autoscaling), so without a bound they grow forever.
 */
export class BoundedLabelValues {
  private readonly _seen = new Map<string, Set<string>>();

  constructor(
    private readonly _limit = 50,
    private readonly _overflow = '(other)',
  ) {}

  /** The label value to use for `value` within `group`. */
  valueFor(group: string, value: string): string {
    let values = this._seen.get(group);
    if (!values) {
      values = new Set();
      this._seen.set(group, values);
    }
    if (values.has(value)) return value;
    if (values.size >= this._limit) return this._overflow;
    values.add(value);
    return value;
  }
}
