import { describe, expect, it, vi } from 'vitest';

// Plain text: style.ts decides on colour when it is loaded.
vi.hoisted(() => {
  process.env.NO_COLOR = '1';
});

import { formatRun, formatRunList, headline } from '../src/cli/format-run';
import { resultView, storedView } from '../src/http/run-view';
import { PATH, classifyRun } from './support/hops';
import { RESULTS } from './support/scenarios';

// eslint-disable-next-line no-control-regex
const plain = (text: string) => text.replace(/\u001b\[\d+m/g, '');

describe('formatRun', () => {
  it('shows the verdict, where and why, the total against its budget, and each hop', () => {
    const result = RESULTS.slow();
    const text = plain(formatRun(resultView(result)));
    const lines = text.split('\n');
    expect(lines[0]).toBe(`deposit-voicemail  run ${result.run.runId}  slow at recorder (recorder-1)`);
    expect(text).toContain(`trace ${result.run.traceId}`);
    expect(text).toMatch(/total \d+ms \(budget 800ms\)/);
    expect(text).toContain(`reason: ${result.fault!.reason}`);
    const rows = lines.filter((l) => /^\s+\d+\s/.test(l));
    expect(rows).toHaveLength(result.hops.length);
    result.hops.forEach((hop, i) => {
      expect(rows[i]).toMatch(new RegExp(`^\\s+${i + 1}\\s+${hop.service}\\s+${hop.instance}\\s+${hop.operation}\\s`));
      expect(rows[i]).toMatch(/\bok$/);
    });
    // The recorder's time is shown against its budget.
    expect(rows.find((l) => l.includes('recorder-1'))).toMatch(/\d+ms \/ 200ms/);
  });

  it('a lost run lists the missing hop and the last hop reached', () => {
    const text = plain(formatRun(resultView(RESULTS.lost())));
    expect(text).toContain('lost at notifier');
    expect(text).toContain('the run last reached storage (storage-1)');
    expect(text).toMatch(/notifier\s+\(no hop\)\s+missing/);
    for (const service of PATH) expect(text).toContain(service);
  });

  it('an error shows the failing status; a context break shows the other trace', () => {
    expect(plain(formatRun(resultView(RESULTS.error())))).toMatch(/storage\s+storage-1\s+.*error 500/);
    expect(plain(formatRun(resultView(RESULTS['context-broken']())))).toMatch(/notifier-1.*other trace/);
  });

  it('unknown blames no place', () => {
    const text = plain(formatRun(resultView(RESULTS.unknown())));
    expect(text.split('\n')[0]).toMatch(/ unknown$/);
    expect(text).toContain('reason: the hop records could not be read from storage');
  });

  it('names a skewed clock with its direction, and the Jaeger link', () => {
    const { built, ...classification } = classifyRun({ skewMs: { gateway: -30_000 } });
    const view = resultView(
      { ...classification, run: built.run, trigger: built.trigger, classifiedAtMs: built.run.firedAtMs },
      'http://localhost:16686',
    );
    const text = plain(formatRun(view));
    expect(text).toMatch(/clock skew: gateway \(gateway-1\) is behind by about 30s/);
    expect(text).toContain(`jaeger: http://localhost:16686/trace/${built.run.traceId}`);
  });

  it('a failed trigger is shown', () => {
    const text = plain(formatRun(resultView(RESULTS['trigger-failed']())));
    expect(text).toContain('trigger-failed at gateway');
    expect(text).toContain('trigger: POST http://127.0.0.1:7001/calls: ECONNREFUSED');
  });

  it('uses no colour with NO_COLOR', () => {
    // eslint-disable-next-line no-control-regex
    expect(formatRun(resultView(RESULTS.slow()))).not.toMatch(/\u001b\[/);
  });
});

describe('headline and formatRunList', () => {
  it('a pending run reads pending', () => {
    const { run } = RESULTS.ok();
    expect(plain(headline(storedView({ run, state: 'pending' })))).toBe('pending');
  });

  it('lists runs one a line with verdict and place', () => {
    const views = [resultView(RESULTS.ok()), resultView(RESULTS.lost()), resultView(RESULTS.unknown())];
    const lines = plain(formatRunList(views)).split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^FIRED\s+PROBE\s+VERDICT\s+WHERE\s+TOTAL\s+RUN$/);
    expect(lines[1]).toMatch(/deposit-voicemail\s+ok\s+\d+ms/);
    expect(lines[2]).toMatch(/deposit-voicemail\s+lost\s+notifier/);
    expect(lines[3]).not.toContain('(hoptrace)');
    expect(plain(formatRunList([]))).toBe('no runs yet');
  });
});
