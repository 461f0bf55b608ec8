import { describe, expect, it } from 'vitest';
import { MAX_SUMMARY_LENGTH, summarizeIncidentEvent } from '../src/alerts/summary-text';
import { openedEvent, resolvedEvent, STARTED_AT_MS } from './support/incident-events';

describe('summarizeIncidentEvent', () => {
  it('says what opened, where, since when and why', () => {
    expect(summarizeIncidentEvent(openedEvent())).toBe(
      'OPEN slow at recorder (recorder-2) on deposit-voicemail since 14:02:11Z: recorder took 412ms, budget 200ms',
    );
  });

  it('names no instance for an incident of the whole service', () => {
    const lost = { kind: 'lost' as const, service: 'notifier', instance: undefined, reason: 'no hop from notifier' };
    expect(summarizeIncidentEvent(openedEvent(lost))).toBe(
      'OPEN lost at notifier on deposit-voicemail since 14:02:11Z: no hop from notifier',
    );
  });

  it('says when it resolved, how long it lasted and how many runs it cost', () => {
    expect(summarizeIncidentEvent(resolvedEvent(18 * 60_000))).toBe(
      'RESOLVED slow at recorder (recorder-2) on deposit-voicemail at 14:20:11Z after 18m, 37 runs affected',
    );
    expect(summarizeIncidentEvent(resolvedEvent(90_000, { runsAffected: 1 }))).toMatch(/after 1\.5m, 1 run affected$/);
  });

  it('says when a resolution is a take-over by an incident of the whole service', () => {
    expect(summarizeIncidentEvent(resolvedEvent(60_000, { mergedInto: 'deposit-voicemail:recorder:*:slow:1' }))).toBe(
      'RESOLVED slow at recorder (recorder-2) on deposit-voicemail at 14:03:11Z after 1m, 37 runs affected (now part of an incident of the whole service)',
    );
  });

  it('dates the start when it was on another day than the event', () => {
    const event = openedEvent();
    event.atMs = STARTED_AT_MS + 86_400_000;
    expect(summarizeIncidentEvent(event)).toContain('since 2024-05-01 14:02:11Z:');
  });

  it('stays one bounded line whatever the reason holds', () => {
    const text = summarizeIncidentEvent(openedEvent({ reason: `first line\r\n  second line ${'x'.repeat(1000)}` }));
    expect(text).not.toMatch(/[\r\n]/);
    expect(text).toContain('first line second line');
    expect(text).toHaveLength(MAX_SUMMARY_LENGTH);
    expect(text.endsWith('…')).toBe(true);
  });
});
