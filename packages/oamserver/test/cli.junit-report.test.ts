import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { RunView } from '@hoptrace/core/api';
import { worstExitCode } from '../src/cli/commands/probe';
import { EXIT } from '../src/cli/exit-codes';
import { junitReport, type ProbeOutcome } from '../src/cli/junit-report';

function view(probe: string, verdict: RunView['verdict'], fault?: RunView['fault']): RunView {
  return {
    probe,
    runId: `0mxd6fe5g-00000000000${probe.length}`,
    traceId: '0af7651916cd43dd8448eb211c80319c',
    state: 'done',
    verdict,
    firedAt: '2026-12-07T12:00:00.000Z',
    hops: [],
    ...(fault ? { fault } : {}),
  };
}

const parse = (xml: string) =>
  new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'testcase' }).parse(xml, true) as {
    testsuites: {
      '@_tests': string;
      '@_failures': string;
      '@_errors': string;
      '@_skipped': string;
      testsuite: { testcase: Record<string, { '@_message'?: string; '@_type'?: string } | string | undefined>[] };
    };
  };

describe('junitReport', () => {
  it('a fault is a failure, unknown or no verdict an error, a disabled probe skipped, ok passes', () => {
    const outcomes: ProbeOutcome[] = [
      { probe: 'ok-probe', view: view('ok-probe', 'ok'), totalMs: 250 },
      {
        probe: 'slow-probe',
        view: view('slow-probe', 'slow', {
          service: 'recorder',
          instance: 'recorder-2',
          reason: 'recorder took 402ms, budget 200ms',
        }),
        totalMs: 900,
      },
      {
        probe: 'unknown-probe',
        view: view('unknown-probe', 'unknown', { service: 'gateway', reason: 'storage unavailable' }),
      },
      { probe: 'never-came', problem: 'no verdict for run x in time' },
      { probe: 'off', disabled: true },
    ];
    const xml = parse(junitReport('hoptrace probes.yaml', outcomes, new Date('2026-12-07T12:00:00Z')));
    expect(xml.testsuites).toMatchObject({ '@_tests': '5', '@_failures': '1', '@_errors': '2', '@_skipped': '1' });
    const [ok, slow, unknown, never, off] = xml.testsuites.testsuite.testcase;
    expect(ok!['@_time']).toBe('0.25');
    expect(ok!.failure).toBeUndefined();
    expect(slow!.failure).toMatchObject({
      '@_type': 'slow',
      '@_message': 'slow at recorder (recorder-2): recorder took 402ms, budget 200ms',
    });
    expect(unknown!.error).toMatchObject({ '@_type': 'unknown', '@_message': 'storage unavailable' });
    expect(never!.error).toMatchObject({ '@_type': 'no-verdict', '@_message': 'no verdict for run x in time' });
    expect(off).toHaveProperty('skipped');
  });

  it('escapes what a fault reason may hold, and leaves out characters XML 1.0 cannot carry', () => {
    const reason = 'HTTP 500: <html> & "quotes" \u001b[31m';
    const xml = junitReport('s', [{ probe: 'p', view: view('p', 'error', { service: 'a', reason }) }], new Date());
    // eslint-disable-next-line no-control-regex
    expect(xml).not.toMatch(/\u001b/);
    const testcase = parse(xml).testsuites.testsuite.testcase[0]!;
    expect((testcase.failure as { '@_message': string })['@_message']).toContain('<html> & "quotes"');
  });
});

describe('worstExitCode', () => {
  it('a fault wins over unknown, unknown (or no verdict) over ok', () => {
    expect(worstExitCode(['ok', 'ok'])).toBe(EXIT.OK);
    expect(worstExitCode(['ok', 'unknown'])).toBe(EXIT.UNKNOWN);
    expect(worstExitCode(['ok', undefined])).toBe(EXIT.UNKNOWN);
    expect(worstExitCode(['unknown', 'lost', 'ok'])).toBe(EXIT.FAULT);
    expect(worstExitCode([])).toBe(EXIT.OK);
  });
});
