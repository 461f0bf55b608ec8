import { describe, expect, it, vi } from 'vitest';
import { AlertDispatcher } from '../src/alerts/alert-dispatcher';
import { LogChannel } from '../src/alerts/log-channel';
import type { Silence } from '../src/alerts/silences';
import type { AlertChannel, AlertLogFunction, DeliveryRecord } from '../src/alerts/types';
import type { IncidentEvent } from '../src/incidents/types';
import { STARTED_AT_MS, openedEvent, resolvedEvent } from './support/incident-events';

/** A channel that keeps what it is sent. */
function memoryChannel(name: string) {
  const sent: IncidentEvent[] = [];
  const channel: AlertChannel = {
    name,
    send: (event) => void sent.push(event),
    counts: () => ({ delivered: sent.length, retried: 0, failed: 0, dropped: 0 }),
    recentDeliveries: (): DeliveryRecord[] => [],
    stop: () => Promise.resolve(),
  };
  return { channel, sent };
}

// The sample incident is at deposit-voicemail / recorder / recorder-2, opened at 14:02:31Z.
const DURING_MAINTENANCE: Silence = {
  match: { service: 'recorder', instance: 'recorder-2' },
  fromMs: STARTED_AT_MS - 3_600_000,
  untilMs: STARTED_AT_MS + 3_600_000,
  comment: 'disk swap',
};

describe('AlertDispatcher with silences', () => {
  it('holds a covered event back from every channel, counts it silenced, and keeps a record', () => {
    const ops = memoryChannel('ops');
    const mail = memoryChannel('mail');
    const dispatcher = new AlertDispatcher([ops.channel, mail.channel], undefined, { silences: [DURING_MAINTENANCE] });
    dispatcher.dispatch(openedEvent());
    expect(ops.sent).toEqual([]);
    expect(mail.sent).toEqual([]);
    expect(dispatcher.deliveryCounts().filter((c) => c.outcome === 'silenced')).toEqual([
      { channel: 'ops', outcome: 'silenced', count: 1 },
      { channel: 'mail', outcome: 'silenced', count: 1 },
    ]);
    // Newest first: the two records may be a millisecond apart, in either order.
    const records = dispatcher.recentDeliveries().sort((a, b) => a.channel.localeCompare(b.channel));
    expect(records).toEqual(
      ['mail', 'ops'].map((channel) =>
        expect.objectContaining({
          channel,
          eventType: 'incident.opened',
          incidentId: openedEvent().incident.id,
          outcome: 'silenced',
          attempts: 0,
          silence: 'alerts.silences.0 (disk swap)',
        }),
      ),
    );
  });

  it('sends events outside the silence: another place, or after it ended', () => {
    const ops = memoryChannel('ops');
    const dispatcher = new AlertDispatcher([ops.channel], undefined, { silences: [DURING_MAINTENANCE] });
    const elsewhere = openedEvent({ instance: 'recorder-1' });
    dispatcher.dispatch(elsewhere);
    // Resolved two hours after it started: the silence ended an hour before.
    const afterwards = resolvedEvent(2 * 3_600_000);
    dispatcher.dispatch(afterwards);
    expect(ops.sent).toEqual([elsewhere, afterwards]);
    expect(dispatcher.deliveryCounts()).toContainEqual({ channel: 'ops', outcome: 'silenced', count: 0 });
  });

  it('the log channel still writes a silenced event, at info, marked with the silence', () => {
    const log = vi.fn<AlertLogFunction>();
    const dispatcher = new AlertDispatcher([new LogChannel(log)], undefined, { silences: [DURING_MAINTENANCE] });
    dispatcher.dispatch(openedEvent());
    expect(log.mock.calls).toEqual([
      [
        'info',
        {
          alert: 'incident.opened',
          atMs: openedEvent().atMs,
          incident: openedEvent().incident,
          silenced: true,
          silence: 'alerts.silences.0 (disk swap)',
        },
        expect.stringMatching(
          /^OPEN slow at recorder \(recorder-2\).* \[silenced by alerts\.silences\.0 \(disk swap\)\]$/,
        ),
      ],
    ]);
    expect(dispatcher.deliveryCounts()).toEqual([
      { channel: 'log', outcome: 'delivered', count: 0 },
      { channel: 'log', outcome: 'retried', count: 0 },
      { channel: 'log', outcome: 'failed', count: 0 },
      { channel: 'log', outcome: 'dropped', count: 0 },
      { channel: 'log', outcome: 'silenced', count: 1 },
    ]);
    // The log keeps no delivery records, silenced or not.
    expect(dispatcher.recentDeliveries()).toEqual([]);
  });

  it('has no silenced series when no silence is configured', () => {
    const dispatcher = new AlertDispatcher([memoryChannel('ops').channel]);
    expect(dispatcher.deliveryCounts().map((c) => c.outcome)).toEqual(['delivered', 'retried', 'failed', 'dropped']);
  });

  it('keeps at most maxSilencedRecords records of silenced events', () => {
    const dispatcher = new AlertDispatcher([memoryChannel('ops').channel], undefined, {
      silences: [{ match: { probe: 'deposit-voicemail' }, untilMs: Number.MAX_SAFE_INTEGER }],
      maxSilencedRecords: 2,
    });
    for (let i = 0; i < 5; i++) dispatcher.dispatch(openedEvent({ id: `incident-${i}` }));
    expect(
      dispatcher
        .recentDeliveries()
        .map((r) => r.incidentId)
        .sort(),
    ).toEqual(['incident-3', 'incident-4']);
    expect(dispatcher.deliveryCounts()).toContainEqual({ channel: 'ops', outcome: 'silenced', count: 5 });
  });
});
