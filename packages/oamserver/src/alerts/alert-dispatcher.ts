import { HoptraceError } from '@hoptrace/core';
import type { IncidentEvent } from '../incidents/types';
import { DELIVERY_OUTCOMES, type AlertChannel, type DeliveryCount, type DeliveryRecord } from './types';

/**
 * Fans each incident event out to every alert channel. `dispatch` returns at once and never
 * throws: a broken channel costs its own deliveries, never the incident tracker's work.
 */
export class AlertDispatcher {
  private readonly _channels: readonly AlertChannel[];

  constructor(
    channels: readonly AlertChannel[],
    private readonly _warn?: (message: string) => void,
  ) {
    const names = channels.map((c) => c.name);
    const repeated = names.find((name, index) => names.indexOf(name) !== index);
    // Names label metrics and records: two channels under one name would merge their counts.
    if (repeated !== undefined) {
      throw new HoptraceError('HOPTRACE_CONFIG_INVALID', `two alert channels are named "${repeated}"`);
    }
    this._channels = [...channels];
  }

  /** Channel names, in dispatch order. */
  get channelNames(): string[] {
    return this._channels.map((c) => c.name);
  }

  dispatch(event: IncidentEvent): void {
    for (const channel of this._channels) {
      try {
        channel.send(event);
      } catch (error) {
        this._safeWarn(`alert channel "${channel.name}" refused an event: ${(error as Error).message}`);
      }
    }
  }

  /** Cumulative delivery counts, every channel × outcome (zeros included, so rates start at once). */
  deliveryCounts(): DeliveryCount[] {
    return this._channels.flatMap((channel) => {
      const counts = channel.counts();
      return DELIVERY_OUTCOMES.map((outcome) => ({ channel: channel.name, outcome, count: counts[outcome] }));
    });
  }

  /** The last deliveries of every channel, newest first, at most `limit` (default 100). */
  recentDeliveries(limit = 100): DeliveryRecord[] {
    return this._channels
      .flatMap((c) => c.recentDeliveries())
      .sort((a, b) => b.finishedAtMs - a.finishedAtMs)
      .slice(0, limit);
  }

  /** Stops every channel (each within its own bound, in parallel). Idempotent; never rejects. */
  async stop(): Promise<void> {
    await Promise.all(this._channels.map((c) => c.stop().catch(() => undefined)));
  }

  private _safeWarn(message: string): void {
    try {
      this._warn?.(message);
    } catch {
      // Nothing more to do: the event is lost for this channel only.
    }
  }
}
