import { describe, expect, it } from 'vitest';
import {
  describeSilence,
  findSilence,
  isSilenceActive,
  minuteOfDay,
  silenceMatches,
  type Silence,
} from '../src/alerts/silences';

const at = (iso: string): number => Date.parse(iso);
const RECORDER_2 = { probe: 'deposit-voicemail', service: 'recorder', instance: 'recorder-2' };
const WHOLE_RECORDER = { probe: 'deposit-voicemail', service: 'recorder' };

describe('silenceMatches', () => {
  it('matches when every field given equals the place', () => {
    expect(silenceMatches({ match: { probe: 'deposit-voicemail' } }, RECORDER_2)).toBe(true);
    expect(silenceMatches({ match: { probe: 'deposit-voicemail', service: 'recorder' } }, RECORDER_2)).toBe(true);
    expect(silenceMatches({ match: { probe: 'deposit-voicemail', service: 'notifier' } }, RECORDER_2)).toBe(false);
    expect(silenceMatches({ match: { probe: 'retrieve-voicemail' } }, RECORDER_2)).toBe(false);
  });

  it('on instance only: covers that instance on every probe and service, never an incident of the whole service', () => {
    const silence: Silence = { match: { instance: 'recorder-2' } };
    expect(silenceMatches(silence, RECORDER_2)).toBe(true);
    expect(silenceMatches(silence, { ...RECORDER_2, probe: 'retrieve-voicemail' })).toBe(true);
    expect(silenceMatches(silence, { ...RECORDER_2, instance: 'recorder-1' })).toBe(false);
    expect(silenceMatches(silence, WHOLE_RECORDER)).toBe(false);
  });

  it('a silence of a service covers its instances and the whole service', () => {
    const silence: Silence = { match: { service: 'recorder' } };
    expect(silenceMatches(silence, RECORDER_2)).toBe(true);
    expect(silenceMatches(silence, WHOLE_RECORDER)).toBe(true);
  });
});

describe('isSilenceActive', () => {
  it('a one-off silence: from included, until excluded', () => {
    const silence: Silence = {
      match: { service: 'recorder' },
      fromMs: at('2024-05-01T02:00:00Z'),
      untilMs: at('2024-05-01T03:00:00Z'),
    };
    expect(isSilenceActive(silence, at('2024-05-01T01:59:59Z'))).toBe(false);
    expect(isSilenceActive(silence, at('2024-05-01T02:00:00Z'))).toBe(true);
    expect(isSilenceActive(silence, at('2024-05-01T02:59:59Z'))).toBe(true);
    expect(isSilenceActive(silence, at('2024-05-01T03:00:00Z'))).toBe(false);
  });

  it('without from: active from the start until `until`; an until in the past silences nothing now', () => {
    const silence: Silence = { match: { service: 'recorder' }, untilMs: at('2024-05-01T03:00:00Z') };
    expect(isSilenceActive(silence, at('2020-01-01T00:00:00Z'))).toBe(true);
    expect(isSilenceActive(silence, Date.now())).toBe(false);
  });

  it('a daily window within one day', () => {
    const silence: Silence = {
      match: { service: 'recorder' },
      daily: { fromMinute: 2 * 60, toMinute: 3 * 60 + 30, timezone: 'UTC' },
    };
    expect(isSilenceActive(silence, at('2024-05-01T01:59:00Z'))).toBe(false);
    expect(isSilenceActive(silence, at('2024-05-01T02:00:00Z'))).toBe(true);
    expect(isSilenceActive(silence, at('2024-06-17T03:29:59Z'))).toBe(true);
    expect(isSilenceActive(silence, at('2024-06-17T03:30:00Z'))).toBe(false);
  });

  it('a daily window across midnight: the evening and the next morning', () => {
    const silence: Silence = {
      match: { service: 'recorder' },
      daily: { fromMinute: 23 * 60, toMinute: 60, timezone: 'UTC' },
    };
    expect(isSilenceActive(silence, at('2024-05-01T22:59:00Z'))).toBe(false);
    expect(isSilenceActive(silence, at('2024-05-01T23:00:00Z'))).toBe(true);
    expect(isSilenceActive(silence, at('2024-05-01T23:59:59Z'))).toBe(true);
    expect(isSilenceActive(silence, at('2024-05-02T00:00:00Z'))).toBe(true);
    expect(isSilenceActive(silence, at('2024-05-02T00:59:59Z'))).toBe(true);
    expect(isSilenceActive(silence, at('2024-05-02T01:00:00Z'))).toBe(false);
    expect(isSilenceActive(silence, at('2024-05-02T12:00:00Z'))).toBe(false);
  });

  it('a daily window is read on the wall clock of its time zone, summer time included', () => {
    const silence: Silence = {
      match: { service: 'recorder' },
      daily: { fromMinute: 2 * 60, toMinute: 3 * 60, timezone: 'Europe/Paris' },
    };
    // Winter: Paris is UTC+1, 02:30 there is 01:30Z. Summer: UTC+2, 02:30 there is 00:30Z.
    expect(isSilenceActive(silence, at('2024-01-15T01:30:00Z'))).toBe(true);
    expect(isSilenceActive(silence, at('2024-01-15T02:30:00Z'))).toBe(false);
    expect(isSilenceActive(silence, at('2024-07-15T00:30:00Z'))).toBe(true);
    expect(isSilenceActive(silence, at('2024-07-15T01:30:00Z'))).toBe(false);
  });

  it('00:00 to 24:00 is the whole day', () => {
    const silence: Silence = { match: { probe: 'p' }, daily: { fromMinute: 0, toMinute: 1440, timezone: 'UTC' } };
    for (const time of ['00:00:00', '12:00:00', '23:59:59']) {
      expect(isSilenceActive(silence, at(`2024-05-01T${time}Z`))).toBe(true);
    }
  });

  it('a daily window bounded by from and until is active only on the days between', () => {
    const silence: Silence = {
      match: { service: 'recorder' },
      fromMs: at('2024-05-01T00:00:00Z'),
      untilMs: at('2024-05-03T00:00:00Z'),
      daily: { fromMinute: 2 * 60, toMinute: 3 * 60, timezone: 'UTC' },
    };
    expect(isSilenceActive(silence, at('2024-04-30T02:30:00Z'))).toBe(false);
    expect(isSilenceActive(silence, at('2024-05-02T02:30:00Z'))).toBe(true);
    expect(isSilenceActive(silence, at('2024-05-03T02:30:00Z'))).toBe(false);
  });
});

describe('minuteOfDay', () => {
  it('reads the wall clock in a time zone', () => {
    expect(minuteOfDay(at('2024-05-01T00:00:00Z'), 'UTC')).toBe(0);
    expect(minuteOfDay(at('2024-05-01T23:59:00Z'), 'UTC')).toBe(23 * 60 + 59);
    expect(minuteOfDay(at('2024-05-01T12:00:00Z'), 'America/New_York')).toBe(8 * 60);
    expect(minuteOfDay(at('2024-05-01T12:00:00Z'), 'Asia/Kolkata')).toBe(17 * 60 + 30);
  });
});

describe('findSilence', () => {
  const silences: Silence[] = [
    { match: { probe: 'retrieve-voicemail' } },
    { match: { instance: 'recorder-2' }, untilMs: at('2024-05-01T03:00:00Z'), comment: 'disk swap' },
    { match: { service: 'recorder' } },
  ];

  it('gives the first silence that matches and is active', () => {
    expect(findSilence(silences, RECORDER_2, at('2024-05-01T02:00:00Z'))).toBe(1);
    expect(describeSilence(silences, 1)).toBe('alerts.silences.1 (disk swap)');
    // After the first matching one has ended, a later one still covers the place.
    expect(findSilence(silences, RECORDER_2, at('2024-05-01T04:00:00Z'))).toBe(2);
    expect(describeSilence(silences, 2)).toBe('alerts.silences.2');
  });

  it('gives undefined when none covers the event', () => {
    expect(findSilence(silences, { probe: 'deposit-voicemail', service: 'notifier' }, Date.now())).toBeUndefined();
    expect(findSilence([], RECORDER_2, Date.now())).toBeUndefined();
  });
});
