import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { isProbeHop, spanToHopRecord } from '../src/span-to-hop';
import { PROBE_ATTRIBUTES, spanLab } from './probe-spans';

describe('isProbeHop: a hop is a SERVER or CONSUMER local root of a probe run', () => {
  const lab = spanLab();

  it.each([
    ['SERVER', SpanKind.SERVER],
    ['CONSUMER', SpanKind.CONSUMER],
  ])('a %s span under a remote parent is a hop', (_label, kind) => {
    const span = lab.finished('hop', kind, PROBE_ATTRIBUTES);
    expect(span.parentSpanContext?.isRemote).toBe(true);
    expect(isProbeHop(span)).toBe(true);
    expect(spanToHopRecord(span)).toBeDefined();
  });

  it('a SERVER span with no parent at all is a hop (the trace starts in this service)', () => {
    const span = lab.finished('hop', SpanKind.SERVER, PROBE_ATTRIBUTES, ROOT_CONTEXT);
    expect(span.parentSpanContext).toBeUndefined();
    expect(isProbeHop(span)).toBe(true);
  });

  it.each([
    ['INTERNAL', SpanKind.INTERNAL],
    ['CLIENT', SpanKind.CLIENT],
    ['PRODUCER', SpanKind.PRODUCER],
  ])('a %s span is not a hop, even with the run id and a remote parent', (_label, kind) => {
    const span = lab.finished('not a hop', kind, PROBE_ATTRIBUTES);
    expect(isProbeHop(span)).toBe(false);
    expect(spanToHopRecord(span)).toBeUndefined();
  });

  it('a SERVER span whose parent is local (a nested server span) is not a hop', () => {
    const outer = lab.start('outer', SpanKind.SERVER, PROBE_ATTRIBUTES);
    lab.start('inner', SpanKind.SERVER, PROBE_ATTRIBUTES, trace.setSpan(ROOT_CONTEXT, outer)).end();
    outer.end();
    const [inner, outerDone] = lab.exporter.getFinishedSpans().slice(-2);
    expect(inner!.name).toBe('inner');
    // A local parent's span context does not set isRemote at all.
    expect(inner!.parentSpanContext?.spanId).toBe(outer.spanContext().spanId);
    expect(inner!.parentSpanContext?.isRemote).not.toBe(true);
    expect(isProbeHop(inner!)).toBe(false);
    expect(isProbeHop(outerDone!)).toBe(true);
  });

  it('a SERVER span without the run id (ordinary traffic) is not a hop', () => {
    const span = lab.finished('GET /', SpanKind.SERVER, { 'hoptrace.probe.name': 'deposit-voicemail' });
    expect(isProbeHop(span)).toBe(false);
    expect(spanToHopRecord(span)).toBeUndefined();
  });

  it('a run id that is not a string does not make a hop', () => {
    const span = lab.finished('GET /', SpanKind.SERVER, { ...PROBE_ATTRIBUTES, 'hoptrace.run.id': 42 });
    expect(isProbeHop(span)).toBe(false);
  });
});
