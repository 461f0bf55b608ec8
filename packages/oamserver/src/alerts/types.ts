import type { IncidentEvent } from '../incidents/types';

/**
 * What became of one event on one channel. `retried` is counted once per extra attempt, the
 * others once per event: delivered + failed + dropped = events handed to the channel.
 */
export type DeliveryOutcome = 'delivered' | 'retried' | 'failed' | 'dropped';

/** Every delivery outcome, in a fixed order (metrics start each at zero). */
export const DELIVERY_OUTCOMES: readonly DeliveryOutcome[] = ['delivered', 'retried', 'failed', 'dropped'];

/**
 * What the dispatcher counts per channel: the channel's delivery outcomes, and `silenced`, an
 * event that a silence (config `alerts.silences`) held back from the channel.
 */
export type AlertOutcome = DeliveryOutcome | 'silenced';

/** How one event ended on one channel, kept for people to look at (the last N per channel). */
export interface DeliveryRecord {
  channel: string;
  eventType: IncidentEvent['type'];
  incidentId: string;
  /** Final outcome (never `retried`: retries show in `attempts`). */
  outcome: Exclude<AlertOutcome, 'retried'>;
  /** Attempts made (0 when the event was dropped or silenced before any). */
  attempts: number;
  /** Status of the last answer, when there was one (HTTP status, SMTP reply code). */
  lastStatus?: number;
  /** Why the last attempt failed (network error, timeout, status, queue full...). */
  lastError?: string;
  /** What the receiver said of a delivered event, when the channel tells (e.g. an SMTP server's answer). */
  detail?: string;
  /** The silence that held the event back (`alerts.silences.<n>`, and its comment). */
  silence?: string;
  /** When the channel accepted the event, and when it finished with it (epoch ms). */
  queuedAtMs: number;
  finishedAtMs: number;
}

/** A cumulative count of one outcome on one channel (for hoptrace_alert_deliveries_total). */
export interface DeliveryCount {
  channel: string;
  outcome: AlertOutcome;
  count: number;
}

/**
 * Somewhere incident events go. `send` hands the event over and returns at once: it never
 * throws and never waits for the network, so the incident tracker is never slowed by a receiver.
 */
export interface AlertChannel {
  /** Unique among channels: the `channel` label of metrics and delivery records. */
  readonly name: string;
  send(event: IncidentEvent): void;
  /**
   * An event a silence holds back. Only channels that still want it implement this (the log
   * channel writes it, marked silenced); the others are not told. Must not throw.
   */
  sendSilenced?(event: IncidentEvent, silence: string): void;
  /** Cumulative counts by outcome. */
  counts(): Readonly<Record<DeliveryOutcome, number>>;
  /** The last deliveries, oldest first (bounded). */
  recentDeliveries(): readonly DeliveryRecord[];
  /** Finishes what is in flight within a bounded time, then gives up on the rest (counted). Idempotent. */
  stop(): Promise<void>;
}

/** Log levels alert lines are written at. */
export type AlertLogLevel = 'info' | 'warn';

/** Writes one structured line, e.g. `(level, obj, msg) => pinoLogger[level](obj, msg)`. */
export type AlertLogFunction = (level: AlertLogLevel, fields: Record<string, unknown>, message: string) => void;
