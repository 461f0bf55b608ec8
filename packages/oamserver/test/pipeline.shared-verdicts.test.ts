import { describe, expect, it } from 'vitest';
import { parseVerdictEntry } from '../src/pipeline/shared-verdicts';
import { StoredJson } from '../src/store/stored-json';
import { summarizePending, summarizeResult } from '../src/store/run-summary';
import { resultAt } from './support/scenarios';

describe('an entry of the verdicts stream, parsed', () => {
  const result = resultAt({ runId: '0mxcy9v0d-fd7c46b97b87', firedAtMs: 1_700_000_000_000 });
  const summary = summarizeResult(result);

  it('reads who stored the verdict and its run summary', () => {
    const stored = new StoredJson();
    expect(parseVerdictEntry(['owner', 'host:1:ab', 'summary', JSON.stringify(summary)], stored)).toEqual({
      owner: 'host:1:ab',
      summary,
    });
    expect(stored.counts()).toEqual({});
  });

  it.each([
    ['no owner', ['summary', JSON.stringify(summary)]],
    ['an empty owner', ['owner', '', 'summary', JSON.stringify(summary)]],
    ['no summary', ['owner', 'peer']],
    ['a summary that is not JSON', ['owner', 'peer', 'summary', '{"runId":']],
    ['a summary of another shape', ['owner', 'peer', 'summary', '{"runId":"x","verdict":"fine"}']],
    ['a pending run', ['owner', 'peer', 'summary', JSON.stringify(summarizePending(result.run))]],
    ['nothing at all', []],
  ])('skips an entry with %s, counted and reported once a minute', (_what, fields) => {
    const warnings: string[] = [];
    const stored = new StoredJson((message) => warnings.push(message));
    expect(parseVerdictEntry(fields, stored)).toBeUndefined();
    expect(parseVerdictEntry(fields, stored)).toBeUndefined();
    expect(stored.counts()).toEqual({ 'verdicts stream entry': 2 });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^corrupt verdicts stream entry in storage \(.+\): ignored, as if absent; 1 so far$/);
  });
});
