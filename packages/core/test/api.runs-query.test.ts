import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_RUNS_PAGE,
  VERDICTS,
  decodeRunsCursor,
  encodeRunsCursor,
  runsQuerySchema,
  type RunsCursor,
} from '../src/api';
import { RUN_ID_PATTERN } from '../src/patterns';

// GET /api/runs takes its filters and paging from the query string: every value is a string,
// and the API answers 400 naming `issues[0].path` when one is refused.

/** The query, parsed; fails the test with the issues when it is refused. */
function parse(query: Record<string, string>) {
  const result = runsQuerySchema.safeParse(query);
  if (!result.success) throw new Error(`refused: ${JSON.stringify(result.error.issues)}`);
  return result.data;
}

/** The path of the first issue of a refused query; fails the test when the query is accepted. */
function refusedAt(query: Record<string, string>): PropertyKey[] {
  const result = runsQuerySchema.safeParse(query);
  if (result.success) throw new Error(`accepted: ${JSON.stringify(result.data)}`);
  return result.error.issues[0]!.path;
}

describe('runsQuerySchema', () => {
  it('an empty query is every run, with no filter and the default paging left to the API', () => {
    expect(parse({})).toEqual({});
  });

  it('drops query parameters it does not know', () => {
    expect(parse({ probe: 'deposit-voicemail', utm_source: 'mail' })).toEqual({ probe: 'deposit-voicemail' });
  });

  describe('probe', () => {
    it.each(['deposit-voicemail', 'a', 'A_1-b', 'x'.repeat(64)])('accepts the probe name %s', (probe) => {
      expect(parse({ probe }).probe).toBe(probe);
    });

    it.each(['', '-leading-dash', '_leading-underscore', 'has space', 'dotted.name', 'brace{x}', 'x'.repeat(65)])(
      'refuses %j as a probe name',
      (probe) => {
        expect(refusedAt({ probe })).toEqual(['probe']);
      },
    );
  });

  describe('verdict', () => {
    it('takes one verdict as a list of one', () => {
      expect(parse({ verdict: 'lost' }).verdict).toEqual(['lost']);
    });

    it('takes several verdicts separated by commas, in the order given, with spaces around them trimmed', () => {
      expect(parse({ verdict: 'slow, lost ,context-broken' }).verdict).toEqual(['slow', 'lost', 'context-broken']);
    });

    it('keeps each verdict once when it is given twice', () => {
      expect(parse({ verdict: 'lost,slow,lost,slow' }).verdict).toEqual(['lost', 'slow']);
    });

    it('accepts every verdict of the catalog at once', () => {
      expect(parse({ verdict: VERDICTS.join(',') }).verdict).toEqual([...VERDICTS]);
    });

    it.each(['okk', 'ok,okk', 'OK', '', 'ok,', ',lost', 'ok;lost'])(
      'refuses %j, naming the field and listing the verdicts',
      (verdict) => {
        const result = runsQuerySchema.safeParse({ verdict });
        expect(result.success).toBe(false);
        const issue = result.error!.issues[0]!;
        expect(issue.path).toEqual(['verdict']);
        expect(issue.message).toContain(VERDICTS.join(', '));
        expect(issue.message).toContain(`"${verdict}"`);
      },
    );
  });

  describe.each(['service', 'instance'] as const)('%s', (field) => {
    it('is trimmed', () => {
      expect(parse({ [field]: '  notifier-1 \t' })[field]).toBe('notifier-1');
    });

    it('may be 256 characters long (counted after trimming), not 257', () => {
      expect(parse({ [field]: ` ${'s'.repeat(256)} ` })[field]).toBe('s'.repeat(256));
      expect(refusedAt({ [field]: 's'.repeat(257) })).toEqual([field]);
    });

    it.each(['', '   '])('refuses %j as empty', (value) => {
      const result = runsQuerySchema.safeParse({ [field]: value });
      expect(result.error?.issues[0]).toMatchObject({ path: [field], message: 'must not be empty' });
    });

    it('keeps names that are not probe names (dots, spaces inside)', () => {
      expect(parse({ [field]: 'pod 7.eu-west' })[field]).toBe('pod 7.eu-west');
    });
  });

  describe.each(['from', 'to'] as const)('%s', (field) => {
    it('takes epoch milliseconds', () => {
      expect(parse({ [field]: '1736942400000' })[field]).toBe(1_736_942_400_000);
    });

    it('takes epoch 0 and surrounding spaces', () => {
      expect(parse({ [field]: '0' })[field]).toBe(0);
      expect(parse({ [field]: ' 1736942400000 ' })[field]).toBe(1_736_942_400_000);
    });

    it('takes an ISO 8601 time, with or without milliseconds and in any offset', () => {
      expect(parse({ [field]: '2025-01-15T12:00:00.000Z' })[field]).toBe(Date.UTC(2025, 0, 15, 12));
      expect(parse({ [field]: '2025-01-15T12:00:00Z' })[field]).toBe(Date.UTC(2025, 0, 15, 12));
      expect(parse({ [field]: '2025-01-15T14:00:00+02:00' })[field]).toBe(Date.UTC(2025, 0, 15, 12));
    });

    it('takes a date alone, as midnight UTC', () => {
      expect(parse({ [field]: '2025-01-15' })[field]).toBe(Date.UTC(2025, 0, 15));
    });

    // Date.parse takes these too, some in the server's own time zone: the API does not.
    it.each([
      'yesterday',
      '',
      '1736942400000ms',
      '1e12',
      '0x10',
      '1234567890123456',
      '-5',
      'Jan 15 2025',
      '1/15/2025',
      '2025-01-15T12:00:00',
      '2025-01-15 12:00:00Z',
    ])('refuses %j', (value) => {
      const result = runsQuerySchema.safeParse({ [field]: value });
      expect(result.error?.issues[0]).toMatchObject({
        path: [field],
        message: 'must be epoch milliseconds or an ISO 8601 time with its zone (2026-12-04T15:02:00Z)',
      });
    });
  });

  describe('from and to together', () => {
    it('accepts a range, and a range of one millisecond', () => {
      expect(parse({ from: '1000', to: '2000' })).toEqual({ from: 1000, to: 2000 });
      expect(parse({ from: '1000', to: '1000' })).toEqual({ from: 1000, to: 1000 });
    });

    it('compares an epoch and an ISO time as the same kind of instant', () => {
      const t = Date.UTC(2025, 0, 15, 12);
      expect(parse({ from: new Date(t).toISOString(), to: String(t) })).toEqual({ from: t, to: t });
      expect(refusedAt({ from: new Date(t + 1).toISOString(), to: String(t) })).toEqual(['from']);
    });

    it('refuses `from` after `to`, naming `from`', () => {
      const result = runsQuerySchema.safeParse({ from: '2001', to: '2000' });
      expect(result.success).toBe(false);
      expect(result.error!.issues).toHaveLength(1);
      expect(result.error!.issues[0]).toMatchObject({ path: ['from'], message: 'must not be after `to`' });
    });
  });

  describe('cursor', () => {
    it.each<RunsCursor>([
      { firedAtMs: 1_736_942_400_000, runId: '0mfq3k2a1-3f9c0a7e12bd' },
      { firedAtMs: 0, runId: 'a' },
      { firedAtMs: 999_999_999_999_999, runId: 'x'.repeat(64) },
      { firedAtMs: 17, runId: '-_-' },
      { firedAtMs: 17, runId: 'seed_007-B' },
      { firedAtMs: 17, runId: '123' },
    ])('gives back the cursor it encoded: $firedAtMs $runId', (cursor) => {
      const text = encodeRunsCursor(cursor);
      expect(decodeRunsCursor(text)).toEqual(cursor);
      expect(parse({ cursor: text }).cursor).toEqual(cursor);
    });

    it('is readable: the firing time, a dot, the run id', () => {
      expect(encodeRunsCursor({ firedAtMs: 1_736_942_400_000, runId: 'run_1-a' })).toBe('1736942400000.run_1-a');
    });

    it.each([
      'not-a-cursor',
      '',
      '.',
      '1736942400000.',
      '.run-1',
      '1736942400000.run.1',
      '1736942400000.run{1}',
      '1736942400000.run 1',
      '-1.run-1',
      '1.5.run-1',
      '1234567890123456.run-1',
      `1.${'x'.repeat(65)}`,
      ' 1.run-1',
      '1.run-1\n',
    ])('refuses the malformed cursor %j', (text) => {
      expect(decodeRunsCursor(text)).toBeUndefined();
      const result = runsQuerySchema.safeParse({ cursor: text });
      expect(result.error?.issues[0]).toMatchObject({
        path: ['cursor'],
        message: 'is not a cursor this API gave out (use the `next` of a page)',
      });
    });

    it('any firing time below 1e15 and any valid run id round-trip through the cursor and the query', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 1e15 - 1 }),
          fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
          (firedAtMs, runId) => {
            expect(RUN_ID_PATTERN.test(runId)).toBe(true);
            const text = encodeRunsCursor({ firedAtMs, runId });
            expect(decodeRunsCursor(text)).toEqual({ firedAtMs, runId });
            expect(runsQuerySchema.parse({ cursor: text }).cursor).toEqual({ firedAtMs, runId });
          },
        ),
        { numRuns: 1000 },
      );
    });
  });

  describe('limit', () => {
    it.each([
      ['1', 1],
      ['50', 50],
      [String(MAX_RUNS_PAGE), MAX_RUNS_PAGE],
      ['00050', 50],
    ])('takes %j as %i', (limit, expected) => {
      expect(parse({ limit }).limit).toBe(expected);
    });

    it('allows at most 1000 runs a page', () => {
      expect(MAX_RUNS_PAGE).toBe(1000);
      expect(refusedAt({ limit: '1001' })).toEqual(['limit']);
    });

    it.each(['0', '00000', '1001', '99999', '100000', 'abc', '', '1.5', '-1', '+5', '1e3', ' 5', '0x10'])(
      'refuses %j',
      (limit) => {
        expect(refusedAt({ limit })).toEqual(['limit']);
      },
    );
  });

  describe('view', () => {
    it.each(['full', 'summary'] as const)('takes %s', (view) => {
      expect(parse({ view }).view).toBe(view);
    });

    it.each(['compact', 'FULL', ''])('refuses %j', (view) => {
      expect(refusedAt({ view })).toEqual(['view']);
    });
  });

  it('parses every field at once', () => {
    expect(
      parse({
        probe: 'deposit-voicemail',
        verdict: 'slow,lost',
        service: ' recorder ',
        instance: 'recorder-2',
        from: '2025-01-15T12:00:00.000Z',
        to: '1736946000000',
        cursor: '1736943000000.seed_007-B',
        limit: '35',
        view: 'summary',
      }),
    ).toEqual({
      probe: 'deposit-voicemail',
      verdict: ['slow', 'lost'],
      service: 'recorder',
      instance: 'recorder-2',
      from: Date.UTC(2025, 0, 15, 12),
      to: 1_736_946_000_000,
      cursor: { firedAtMs: 1_736_943_000_000, runId: 'seed_007-B' },
      limit: 35,
      view: 'summary',
    });
  });
});
