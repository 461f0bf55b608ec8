import { describe, expect, it } from 'vitest';
import { PATH, TIMEOUT_MS, buildRun, classifyRun } from './support/hops';

const AT_DEADLINE_MS = TIMEOUT_MS + 250;
const REFUSED = {
  ok: false,
  delivered: false,
  error: 'POST http://127.0.0.1:7001/calls/4155550100/voicemail: ECONNREFUSED',
};

describe('classify: trigger-failed', () => {
  it('a trigger that was not delivered, with no hop, is trigger-failed at the first service', () => {
    const result = classifyRun({ trigger: REFUSED }, { hops: [] }, AT_DEADLINE_MS);
    expect(result.verdict).toBe('trigger-failed');
    expect(result.fault).toEqual({ service: 'gateway', reason: REFUSED.error });
    expect(result.facts.missingHops).toEqual(PATH);
  });

  it('says so when the trigger gave no reason', () => {
    const result = classifyRun({ trigger: { ok: false, delivered: false } }, { hops: [] }, AT_DEADLINE_MS);
    expect(result.verdict).toBe('trigger-failed');
    expect(result.fault?.reason).toBe('the trigger was not delivered');
  });

  it('is a fact the Oamserver saw itself: a storage gap does not turn it into unknown', () => {
    const result = classifyRun({ trigger: REFUSED }, { hops: [], storageGap: true }, AT_DEADLINE_MS);
    expect(result.verdict).toBe('trigger-failed');
  });
});

describe('classify: unknown (hoptrace could not tell; never blamed on a service)', () => {
  it('hop records that could not be read from storage', () => {
    const result = classifyRun({}, { hops: undefined }, AT_DEADLINE_MS);
    expect(result.verdict).toBe('unknown');
    expect(result.fault).toBeUndefined();
    expect(result.hops).toEqual([]);
    expect(result.facts.missingHops).toEqual(PATH);
    expect(result.facts.note).toBe('the hop records could not be read from storage');
  });

  it('unreadable storage wins over everything else, even a failed trigger', () => {
    const result = classifyRun({ trigger: REFUSED }, { hops: undefined }, AT_DEADLINE_MS);
    expect(result.verdict).toBe('unknown');
    expect(result.fault).toBeUndefined();
  });

  it('a storage gap during the run with missing hops: unknown, never lost', () => {
    const result = classifyRun({ silent: ['notifier'] }, { storageGap: true }, AT_DEADLINE_MS);
    expect(result.verdict).toBe('unknown');
    expect(result.fault).toBeUndefined();
    expect(result.facts.missingHops).toEqual(['notifier']);
    expect(result.facts.note).toMatch(/storage was unavailable during the run.*\(notifier\).*hoptrace's own gap/);
  });

  it('a storage gap with a hop missing in the middle: unknown, not unexpected-path', () => {
    const result = classifyRun({ silent: ['mailbox'] }, { storageGap: true }, AT_DEADLINE_MS);
    expect(result.verdict).toBe('unknown');
    expect(result.fault).toBeUndefined();
  });

  it('a storage gap with no hop at all: unknown, not lost at the first service', () => {
    const result = classifyRun({}, { hops: [], storageGap: true }, AT_DEADLINE_MS);
    expect(result.verdict).toBe('unknown');
    expect(result.fault).toBeUndefined();
  });

  it('a storage gap explains missing hops only: a complete run is still judged', () => {
    expect(classifyRun({}, { storageGap: true }).verdict).toBe('ok');
    expect(classifyRun({ hops: { recorder: { workMs: 260 } } }, { storageGap: true }).verdict).toBe('slow');
  });

  it('the Oamserver stopped before it recorded the trigger, and no hop came: unknown', () => {
    const { run } = buildRun();
    const result = classifyRun({}, { run, trigger: undefined, hops: [], triggerUnrecorded: true }, AT_DEADLINE_MS);
    expect(result.verdict).toBe('unknown');
    expect(result.fault).toBeUndefined();
    expect(result.facts.note).toBe('the Oamserver stopped before it recorded what the trigger did');
  });

  it('an unrecorded trigger does not matter when the hops tell the story', () => {
    const result = classifyRun({}, { trigger: undefined, triggerUnrecorded: true });
    expect(result.verdict).toBe('ok');
  });
});
