import type { IncidentEvent } from '../incidents/types';
import { DeliveryStats } from './delivery-stats';
import { summarizeIncidentEvent } from './summary-text';
import type { AlertChannel, AlertLogFunction, DeliveryOutcome, DeliveryRecord } from './types';

/**
 * Writes each incident event as one structured log line: `incident.opened` at warn,
 * `incident.resolved` at info, the summary as the message and the incident as fields. Events a
 * silence holds back are written too, marked.
 */
export class LogChannel implements AlertChannel {
  readonly name = 'log';
  // Counts only: a record per log line would push the webhooks' records out of recentDeliveries().
  private readonly _stats = new DeliveryStats(0);

  constructor(private readonly _log: AlertLogFunction) {}

  send(event: IncidentEvent): void {
    try {
      const level = event.type === 'incident.opened' ? 'warn' : 'info';
      this._log(
        level,
        { alert: event.type, atMs: event.atMs, incident: event.incident },
        summarizeIncidentEvent(event),
      );
      this._stats.count('delivered');
    } catch {
      // The logger failed; there is nowhere else to say so. The failed count shows it.
      this._stats.count('failed');
    }
  }

  /**
   * A silenced event is still written (at info: nobody is to act on it), marked `silenced` with
   * the silence that held it back, so the log stays the full record of what happened.
   */
  sendSilenced(event: IncidentEvent, silence: string): void {
    try {
      this._log(
        'info',
        { alert: event.type, atMs: event.atMs, incident: event.incident, silenced: true, silence },
        `${summarizeIncidentEvent(event)} [silenced by ${silence}]`,
      );
    } catch {
      // The logger failed; the dispatcher has counted the event as silenced all the same.
    }
  }

  counts(): Readonly<Record<DeliveryOutcome, number>> {
    return this._stats.counts();
  }

  recentDeliveries(): readonly DeliveryRecord[] {
    return [];
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }
}
