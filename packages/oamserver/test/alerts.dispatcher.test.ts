import { describe, expect, it, vi } from 'vitest';
import { AlertDispatcher } from '../src/alerts/alert-dispatcher';
import { LogChannel } from '../src/alerts/log-channel';
import type { AlertChannel, AlertLogFunction, DeliveryRecord } from '../src/alerts/types';
import { openedEvent, resolvedEvent } from './support/incident-events';

/** A channel that keeps what it is sent, or throws when `broken`. */
function memoryChannel(name: string, broken = false) {
  const sent: unknown[] = [];
  const records: DeliveryRecord[] = [];
  const stop = vi.fn(() => Promise.resolve());
  const channel: AlertChannel = {
    name,
    send(event) {
      if (broken) throw new Error(`${name} is broken`);
      sent.push(event);
      records.push({
        channel: name,
        eventType: event.type,
        incidentId: event.incident.id,
        outcome: 'delivered',
        attempts: 1,
        queuedAtMs: event.atMs,
        finishedAtMs: event.atMs,
      });
    },
    counts: () => ({ delivered: sent.length, retried: 0, failed: 0, dropped: 0 }),
    recentDeliveries: () => records,
    stop,
  };
  return { channel, sent, stop };
}

describe('AlertDispatcher', () => {
  it('hands each event to every channel, even when one of them throws', () => {
    const a = memoryChannel('a');
    const broken = memoryChannel('broken', true);
    const b = memoryChannel('b');
    const warn = vi.fn();
    const dispatcher = new AlertDispatcher([a.channel, broken.channel, b.channel], warn);
    expect(() => dispatcher.dispatch(openedEvent())).not.toThrow();
    expect(a.sent).toEqual([openedEvent()]);
    expect(b.sent).toEqual([openedEvent()]);
    expect(warn).toHaveBeenCalledWith('alert channel "broken" refused an event: broken is broken');
  });

  it('does not throw when its warn function does', () => {
    const dispatcher = new AlertDispatcher([memoryChannel('broken', true).channel], () => {
      throw new Error('logger down');
    });
    expect(() => dispatcher.dispatch(openedEvent())).not.toThrow();
  });

  it('counts every channel × outcome, zeros included', () => {
    const a = memoryChannel('a');
    const dispatcher = new AlertDispatcher([a.channel, memoryChannel('b').channel]);
    dispatcher.dispatch(openedEvent());
    expect(dispatcher.deliveryCounts()).toEqual([
      { channel: 'a', outcome: 'delivered', count: 1 },
      { channel: 'a', outcome: 'retried', count: 0 },
      { channel: 'a', outcome: 'failed', count: 0 },
      { channel: 'a', outcome: 'dropped', count: 0 },
      { channel: 'b', outcome: 'delivered', count: 1 },
      { channel: 'b', outcome: 'retried', count: 0 },
      { channel: 'b', outcome: 'failed', count: 0 },
      { channel: 'b', outcome: 'dropped', count: 0 },
    ]);
  });

  it('lists recent deliveries of all channels, newest first, bounded', () => {
    const dispatcher = new AlertDispatcher([memoryChannel('a').channel, memoryChannel('b').channel]);
    dispatcher.dispatch(openedEvent());
    dispatcher.dispatch(resolvedEvent());
    const recent = dispatcher.recentDeliveries(3);
    expect(recent.map((r) => `${r.channel} ${r.eventType}`)).toEqual([
      'a incident.resolved',
      'b incident.resolved',
      'a incident.opened',
    ]);
  });

  it('refuses two channels of one name (their counts would merge)', () => {
    expect(() => new AlertDispatcher([memoryChannel('ops').channel, memoryChannel('ops').channel])).toThrow(
      /two alert channels are named "ops"/,
    );
  });

  it('stops every channel, even when one fails to', async () => {
    const a = memoryChannel('a');
    const b = memoryChannel('b');
    a.stop.mockRejectedValueOnce(new Error('stuck'));
    await expect(new AlertDispatcher([a.channel, b.channel]).stop()).resolves.toBeUndefined();
    expect(a.stop).toHaveBeenCalledTimes(1);
    expect(b.stop).toHaveBeenCalledTimes(1);
  });
});

describe('LogChannel', () => {
  it('writes one structured line per event: opened at warn, resolved at info, the summary as message', () => {
    const log = vi.fn<AlertLogFunction>();
    const channel = new LogChannel(log);
    channel.send(openedEvent());
    channel.send(resolvedEvent());
    expect(log.mock.calls).toEqual([
      [
        'warn',
        { alert: 'incident.opened', atMs: openedEvent().atMs, incident: openedEvent().incident },
        expect.stringMatching(/^OPEN slow at recorder \(recorder-2\)/),
      ],
      [
        'info',
        { alert: 'incident.resolved', atMs: resolvedEvent().atMs, incident: resolvedEvent().incident },
        expect.stringMatching(/^RESOLVED slow at recorder/),
      ],
    ]);
    expect(channel.counts()).toEqual({ delivered: 2, retried: 0, failed: 0, dropped: 0 });
  });

  it('counts a logger that throws as failed, without throwing', () => {
    const channel = new LogChannel(() => {
      throw new Error('stdout closed');
    });
    expect(() => channel.send(openedEvent())).not.toThrow();
    expect(channel.counts().failed).toBe(1);
  });
});
