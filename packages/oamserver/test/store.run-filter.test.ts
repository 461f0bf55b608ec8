import { describe, expect, it } from 'vitest';
import type { RunSummary } from '@hoptrace/core/api';
import { matchesFilter, type RunFilter } from '../src/store/run-finder';
import { summarizeResult } from '../src/store/run-summary';
import { RESULTS } from './support/scenarios';

// Which stored runs a filter keeps (GET /api/runs). Time is left to the index range.

const ok = summarizeResult(RESULTS.ok());
const slow = summarizeResult(RESULTS.slow());
const lost = summarizeResult(RESULTS.lost());
const unknown = summarizeResult(RESULTS.unknown());
const pending: RunSummary = { ...ok, state: 'pending', hops: [] };
delete pending.verdict;

/** A lost run blamed on an instance it has no hop from. */
const lostAtNotifier2: RunSummary = {
  ...lost,
  fault: { service: 'notifier', instance: 'notifier-2', reason: 'no hop from notifier-2' },
};

describe('matchesFilter', () => {
  it('an empty filter keeps every run, pending ones too', () => {
    for (const summary of [ok, slow, lost, unknown, pending]) expect(matchesFilter(summary, {})).toBe(true);
  });

  it('probe: keeps only runs of that probe', () => {
    expect(matchesFilter(ok, { probe: 'deposit-voicemail' })).toBe(true);
    expect(matchesFilter(ok, { probe: 'retrieve-voicemail' })).toBe(false);
    expect(matchesFilter({ ...ok, probe: 'retrieve-voicemail' }, { probe: 'retrieve-voicemail' })).toBe(true);
  });

  it('verdicts: keeps runs with one of them', () => {
    expect(matchesFilter(slow, { verdicts: ['slow'] })).toBe(true);
    expect(matchesFilter(slow, { verdicts: ['lost', 'slow'] })).toBe(true);
    expect(matchesFilter(slow, { verdicts: ['lost'] })).toBe(false);
    expect(matchesFilter(unknown, { verdicts: ['unknown'] })).toBe(true);
  });

  it('verdicts: leaves out pending runs, which have none yet', () => {
    expect(matchesFilter(pending, { verdicts: ['ok'] })).toBe(false);
    expect(matchesFilter(pending, { verdicts: [] })).toBe(false);
  });

  it('service: keeps runs that went through it', () => {
    expect(matchesFilter(ok, { service: 'recorder' })).toBe(true);
    expect(matchesFilter(ok, { service: 'transcoder' })).toBe(false);
  });

  it('service: keeps runs whose fault is there though no hop came from it', () => {
    expect(lost.hops.some((h) => h.service === 'notifier')).toBe(false);
    expect(matchesFilter(lost, { service: 'notifier' })).toBe(true);
    expect(matchesFilter(lost, { service: 'storage' })).toBe(true);
    expect(matchesFilter(lost, { service: 'transcoder' })).toBe(false);
  });

  it('instance: keeps runs that went through it, or whose fault names it', () => {
    expect(matchesFilter(ok, { instance: 'recorder-1' })).toBe(true);
    expect(matchesFilter(ok, { instance: 'recorder-2' })).toBe(false);
    expect(matchesFilter(lostAtNotifier2, { instance: 'notifier-2' })).toBe(true);
    expect(matchesFilter(lostAtNotifier2, { instance: 'notifier-1' })).toBe(false);
  });

  it('never matches a place through the (hoptrace) fault of an unknown run', () => {
    expect(matchesFilter(unknown, { service: '(hoptrace)' })).toBe(false);
    const unknownNamingAnInstance: RunSummary = {
      ...unknown,
      fault: { service: 'notifier', instance: 'notifier-1', reason: 'storage unavailable' },
    };
    expect(matchesFilter(unknownNamingAnInstance, { service: 'notifier' })).toBe(false);
    expect(matchesFilter(unknownNamingAnInstance, { instance: 'notifier-1' })).toBe(false);
  });

  it('every field narrows: a run must match all of them', () => {
    const all: RunFilter = {
      probe: 'deposit-voicemail',
      verdicts: ['slow'],
      service: 'recorder',
      instance: 'recorder-1',
    };
    expect(matchesFilter(slow, all)).toBe(true);
    expect(matchesFilter(slow, { ...all, probe: 'other' })).toBe(false);
    expect(matchesFilter(slow, { ...all, verdicts: ['ok'] })).toBe(false);
    expect(matchesFilter(slow, { ...all, service: 'transcoder' })).toBe(false);
    expect(matchesFilter(slow, { ...all, instance: 'recorder-2' })).toBe(false);
    expect(matchesFilter(ok, all)).toBe(false);
  });

  it('where: is checked last, only for runs the other fields keep, with the summary itself', () => {
    const seen: string[] = [];
    const where = (s: RunSummary) => {
      seen.push(s.verdict ?? 'pending');
      return (s.totalMs ?? 0) > 100;
    };
    expect(matchesFilter(slow, { verdicts: ['slow'], where })).toBe(true);
    expect(matchesFilter(ok, { verdicts: ['ok'], where })).toBe(false);
    expect(matchesFilter(lost, { verdicts: ['slow'], where })).toBe(false);
    expect(seen).toEqual(['slow', 'ok']);
  });
});
