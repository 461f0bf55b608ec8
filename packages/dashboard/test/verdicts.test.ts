import { VERDICTS } from '@hoptrace/core/api';
import { describe, expect, it } from 'vitest';
import { FAULT_VERDICTS, kindWord, outcomePhrase, placeLabel, runOutcome, verdictStyle } from '../src/lib/verdicts';
import { runSummary } from './fixtures';

describe('verdict words and colours', () => {
  it('gives every verdict a word, a shape, a colour class and a meaning', () => {
    const classes = new Set<string>();
    for (const v of VERDICTS) {
      const style = verdictStyle(v);
      expect(style.word).toMatch(/^[a-z ]+$/);
      expect(style.icon).not.toBe('');
      expect(style.meaning.length).toBeGreaterThan(10);
      classes.add(style.className);
    }
    expect(classes.size).toBe(VERDICTS.length); // no two verdicts look alike
    expect(verdictStyle('context-broken').word).toBe('context broken');
    expect(verdictStyle('unexpected-path').className).toBe('v-unexpected-path');
    expect(verdictStyle(undefined).word).toBe('pending');
  });

  it('lists the fault verdicts (no ok, no unknown)', () => {
    expect(FAULT_VERDICTS).toEqual(['slow', 'error', 'lost', 'context-broken', 'unexpected-path', 'trigger-failed']);
    expect(kindWord('trigger-failed')).toBe('trigger failed');
  });

  it('says where a run went wrong', () => {
    expect(placeLabel('recorder', 'recorder-2')).toBe('recorder (recorder-2)');
    expect(placeLabel('recorder', undefined, true)).toBe('recorder (all instances)');
    expect(outcomePhrase('lost', { service: 'notifier', instance: 'notifier-1', reason: 'x' })).toBe(
      'lost at notifier (notifier-1)',
    );
    expect(outcomePhrase('lost', undefined, 'storage')).toBe('lost at storage');
    expect(outcomePhrase('ok')).toBe('ok');
    expect(outcomePhrase('unknown', { service: 'x', reason: 'y' })).toBe('unknown: not judged');
    expect(
      runOutcome(runSummary({ verdict: 'slow', fault: { service: 'recorder', instance: 'recorder-1', reason: 'r' } })),
    ).toBe('slow at recorder (recorder-1)');
  });
});
