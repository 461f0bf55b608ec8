import { describe, expect, it } from 'vitest';
import {
  knownVerdicts,
  parseRunsFilter,
  runMatchesFilter,
  runsApiQuery,
  runsFilterToSearch,
  runsHref,
} from '../src/lib/runs-filter';
import { FIRED_MS, runSummary } from './fixtures';

describe('runs filter <-> URL', () => {
  it('round-trips every filter through the page URL', () => {
    const search =
      'probe=deposit-voicemail&verdict=lost%2Cslow&service=recorder&instance=recorder-2&from=2026-11-25T14%3A00%3A00.000Z&to=1795640000000&cursor=1795640000000.run-1&live=1';
    const filter = parseRunsFilter(search);
    expect(filter).toEqual({
      probe: 'deposit-voicemail',
      verdicts: ['lost', 'slow'],
      service: 'recorder',
      instance: 'recorder-2',
      from: '2026-11-25T14:00:00.000Z',
      to: '1795640000000',
      cursor: '1795640000000.run-1',
      live: true,
    });
    expect(runsFilterToSearch(filter)).toBe(search);
    expect(parseRunsFilter(runsFilterToSearch(filter))).toEqual(filter);
  });

  it('accepts repeated verdicts, trims, and drops empty values', () => {
    const filter = parseRunsFilter('?verdict=lost&verdict=error,lost&service=%20&probe=');
    expect(filter).toEqual({ verdicts: ['lost', 'error'], live: false });
    expect(runsHref({})).toBe('/runs');
  });

  it('keeps unknown verdicts for the server to name, but checks only real ones', () => {
    const filter = parseRunsFilter('verdict=lost,bogus');
    expect(filter.verdicts).toEqual(['lost', 'bogus']);
    expect(knownVerdicts(filter)).toEqual(['lost']);
    expect(runsApiQuery(filter)).toBe('view=summary&verdict=lost%2Cbogus');
  });

  it('asks the API for summaries, with the cursor and limit', () => {
    const filter = parseRunsFilter('probe=p&live=1');
    expect(runsApiQuery(filter, { cursor: '5.r', limit: 50 })).toBe('view=summary&probe=p&cursor=5.r&limit=50');
  });

  it('matches live runs the way the server filters', () => {
    const run = runSummary({
      verdict: 'lost',
      fault: { service: 'notifier', instance: 'notifier-1', reason: 'r' },
      hops: [{ service: 'gateway', instance: 'gateway-2', durationMs: 5, status: 'ok', expected: true, onTrace: true }],
    });
    const match = (search: string) => runMatchesFilter(run, parseRunsFilter(search));
    expect(match('')).toBe(true);
    expect(match('probe=deposit-voicemail&verdict=lost,error')).toBe(true);
    expect(match('verdict=ok')).toBe(false);
    expect(match('service=gateway')).toBe(true); // a hop it went through
    expect(match('service=notifier&instance=notifier-1')).toBe(true); // the place of its fault
    expect(match('instance=gateway-1')).toBe(false);
    expect(match(`from=${FIRED_MS + 1}`)).toBe(false);
    expect(match(`to=${new Date(FIRED_MS).toISOString()}`)).toBe(true);
    expect(match('probe=other')).toBe(false);
  });
});
