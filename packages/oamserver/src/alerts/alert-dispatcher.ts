import { HoptraceError } from '@hoptrace/core';
import type { IncidentEvent } from '../incidents/types';
import { DeliveryStats } from './delivery-stats';
import { describeSilence, findSilence, type Silence } from './silences';
import { DELIVERY_OUTCOMES, type AlertChannel, type DeliveryCount, type DeliveryRecord } from './types';

/** Options of the dispatcher besides its channels. */
export interface AlertDispatcherOptions {
  /** Incident events these cover go to no channel (the log channel still writes them, marked). */
  silences?: readonly Silence[];
  /** Records of silenced events kept for recentDeliveries(). Default 100. */
  maxSilencedRecords?: number;
}

/**
 * Fans each incident event out to every alert channel. `dispatch` returns at once and never
 * throws: a broken channel costs its own deliveries, never the incident tracker's work. An event
 * a silence covers is held back from every channel and counted `silenced` on each.
 */
export class AlertDispatcher {
  private readonly _channels: readonly AlertChannel[];
  private readonly _silences: readonly Silence[];
  private readonly _silencedCounts = new Map<string, number>();
  private readonly _silencedRecords: DeliveryStats;

  constructor(
    channels: readonly AlertChannel[],
    private readonly _warn?: (message: string) => void,
    options: AlertDispatcherOptions = {},
  ) {
    const names = channels.map((c) => c.name);
    const repeated = names.find((name, index) => names.indexOf(name) !== index);
    // Names label metrics and records: two channels under one name would merge their counts.
    if (repeated !== undefined) {
      throw new HoptraceError('HOPTRACE_CONFIG_INVALID', `two alert channels are named "${repeated}"`);
    }
    this._channels = [...channels];
    this._silences = [...(options.silences ?? [])];
    this._silencedRecords = new DeliveryStats(options.maxSilencedRecords);
  }

  /** Channel names, in dispatch order. */
  get channelNames(): string[] {
    return this._channels.map((c) => c.name);
  }

  dispatch(event: IncidentEvent): void {
    let silence: string | undefined;
    try {
      const index = findSilence(this._silences, event.incident, event.atMs);
      silence = index === undefined ? undefined : describeSilence(this._silences, index);
    } catch (error) {
      // Cannot happen with a checked config; were it to, alerting beats staying silent.
      this._safeWarn(`checking silences failed, the event is sent: ${(error as Error).message}`);
    }
    for (const channel of this._channels) {
      try {
        if (silence === undefined) channel.send(event);
        else this._hold(channel, event, silence);
      } catch (error) {
        this._safeWarn(`alert channel "${channel.name}" refused an event: ${(error as Error).message}`);
      }
    }
  }

  /** Cumulative delivery counts, every channel × outcome (zeros included, so rates start at once). */
  deliveryCounts(): DeliveryCount[] {
    return this._channels.flatMap((channel) => {
      const counts = channel.counts();
      const delivery: DeliveryCount[] = DELIVERY_OUTCOMES.map((outcome) => ({
        channel: channel.name,
        outcome,
        count: counts[outcome],
      }));
      // `silenced` can only happen with silences configured: only then does it get a series.
      if (this._silences.length === 0) return delivery;
      return [
        ...delivery,
        { channel: channel.name, outcome: 'silenced', count: this._silencedCounts.get(channel.name) ?? 0 },
      ];
    });
  }

  /** The last deliveries of every channel (and the events silences held back), newest first, at most `limit` (default 100). */
  recentDeliveries(limit = 100): DeliveryRecord[] {
    return [...this._channels.flatMap((c) => c.recentDeliveries()), ...this._silencedRecords.recent()]
      .sort((a, b) => b.finishedAtMs - a.finishedAtMs)
      .slice(0, limit);
  }

  /** Stops every channel (each within its own bound, in parallel). Idempotent; never rejects. */
  async stop(): Promise<void> {
    await Promise.all(this._channels.map((c) => c.stop().catch(() => undefined)));
  }

  /** Holds a silenced event back from one channel: counted, recorded, and shown to channels that want it (the log). */
  private _hold(channel: AlertChannel, event: IncidentEvent, silence: string): void {
    this._silencedCounts.set(channel.name, (this._silencedCounts.get(channel.name) ?? 0) + 1);
    if (channel.sendSilenced) {
      channel.sendSilenced(event, silence);
      return;
    }
    const nowMs = Date.now();
    this._silencedRecords.keep({
      channel: channel.name,
      eventType: event.type,
      incidentId: event.incident.id,
      outcome: 'silenced',
      attempts: 0,
      silence,
      queuedAtMs: nowMs,
      finishedAtMs: nowMs,
    });
  }

  private _safeWarn(message: string): void {
    try {
      this._warn?.(message);
    } catch {
      // Nothing more to do: the event is lost for this channel only.
    }
  }
}
