import { describe, expect, it } from 'vitest';
import { VERDICTS } from '../src/classifier/types';
import { jaegerLink, resultView, storedView } from '../src/http/run-view';
import { RUN_TRACE_ID, classifyRun } from './support/hops';
import { RESULTS } from './support/scenarios';

describe('resultView', () => {
  it.each(VERDICTS)('a %s run has the verdict it was given, and a fault unless ok', (verdict) => {
    const result = RESULTS[verdict]();
    expect(result.verdict).toBe(verdict);
    const view = resultView(result);
    expect(view.state).toBe('done');
    expect(view.verdict).toBe(verdict);
    if (verdict === 'ok') {
      expect(view.fault).toBeUndefined();
    } else {
      expect(view.fault?.service).toBeTruthy();
      expect(view.fault?.reason).toBeTruthy();
    }
  });

  it('unknown is put on hoptrace itself, with the note as the reason, never on a service', () => {
    const result = RESULTS.unknown();
    expect(result.fault).toBeUndefined();
    expect(resultView(result).fault).toEqual({
      service: '(hoptrace)',
      reason: 'the hop records could not be read from storage',
    });
  });

  it('passes the fault of a fault verdict through unchanged', () => {
    const result = RESULTS.lost();
    expect(resultView(result).fault).toEqual(result.fault);
    expect(resultView(result).fault?.service).toBe('notifier');
  });

  it('carries the run, hops, facts and trigger, with ISO times', () => {
    const result = RESULTS.slow();
    const view = resultView(result);
    expect(view).toMatchObject({
      probe: 'deposit-voicemail',
      runId: result.run.runId,
      traceId: RUN_TRACE_ID,
      firedAt: new Date(result.run.firedAtMs).toISOString(),
      classifiedAt: new Date(result.classifiedAtMs).toISOString(),
      hops: result.hops,
      facts: result.facts,
      trigger: result.trigger,
    });
    expect(view.clockSkew).toBeUndefined();
    // What the API sends is plain JSON.
    expect(JSON.parse(JSON.stringify(view))).toEqual(view);
  });

  it('shows clock skew when the run found some', () => {
    const { built, ...classification } = classifyRun({ skewMs: { gateway: 30_000 } });
    const view = resultView({ ...classification, run: built.run, trigger: built.trigger, classifiedAtMs: 0 });
    expect(view.clockSkew).toEqual([expect.objectContaining({ service: 'gateway', instance: 'gateway-1' })]);
  });

  it('links to Jaeger only when a Jaeger UI URL is given', () => {
    const result = RESULTS.ok();
    expect(resultView(result).jaegerUrl).toBeUndefined();
    expect('jaegerUrl' in resultView(result)).toBe(false);
    expect(resultView(result, 'http://localhost:16686/').jaegerUrl).toBe(
      `http://localhost:16686/trace/${RUN_TRACE_ID}`,
    );
  });
});

describe('jaegerLink and storedView', () => {
  it('builds the trace page URL, without doubled slashes', () => {
    expect(jaegerLink(undefined, RUN_TRACE_ID)).toBeUndefined();
    expect(jaegerLink('', RUN_TRACE_ID)).toBeUndefined();
    expect(jaegerLink('https://jaeger.example.test//', 'abc')).toBe('https://jaeger.example.test/trace/abc');
  });

  it('a pending run has no verdict and no hops yet', () => {
    const { run, trigger } = RESULTS.ok();
    const view = storedView({ run, state: 'pending', trigger }, 'http://jaeger.test');
    expect(view).toEqual({
      probe: run.probe,
      runId: run.runId,
      traceId: run.traceId,
      state: 'pending',
      firedAt: new Date(run.firedAtMs).toISOString(),
      path: run.path,
      budget: run.budget,
      hops: [],
      trigger,
      jaegerUrl: `http://jaeger.test/trace/${run.traceId}`,
    });
  });

  it('a done run is shown from its result', () => {
    const result = RESULTS.error();
    expect(storedView({ run: result.run, state: 'done', result })).toEqual(resultView(result));
  });
});
