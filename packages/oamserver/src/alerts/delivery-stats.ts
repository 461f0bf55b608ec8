import { DELIVERY_OUTCOMES, type DeliveryOutcome, type DeliveryRecord } from './types';

/** Default number of delivery records kept per channel. */
export const DEFAULT_RECENT_DELIVERIES = 100;

/** A channel's delivery counts and its last `limit` delivery records (a ring: memory stays bounded). */
export class DeliveryStats {
  private readonly _counts = Object.fromEntries(DELIVERY_OUTCOMES.map((o) => [o, 0])) as Record<
    DeliveryOutcome,
    number
  >;
  private readonly _recent: DeliveryRecord[] = [];

  constructor(private readonly _limit = DEFAULT_RECENT_DELIVERIES) {}

  count(outcome: DeliveryOutcome): void {
    this._counts[outcome] += 1;
  }

  /** Counts the record's outcome and keeps the record. */
  finish(record: DeliveryRecord & { outcome: DeliveryOutcome }): void {
    this.count(record.outcome);
    this.keep(record);
  }

  /** Keeps a record without counting it (the oldest goes past `limit`). */
  keep(record: DeliveryRecord): void {
    if (this._limit <= 0) return;
    this._recent.push(record);
    if (this._recent.length > this._limit) this._recent.shift();
  }

  counts(): Readonly<Record<DeliveryOutcome, number>> {
    return { ...this._counts };
  }

  /** Oldest first. */
  recent(): readonly DeliveryRecord[] {
    return [...this._recent];
  }
}
