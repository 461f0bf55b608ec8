import { ROOT_CONTEXT, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { MAX_ERROR_MESSAGE_LENGTH, MAX_LABEL_LENGTH } from '@hoptrace/core';
import { spanToHopRecord } from '../src/span-to-hop';
import { PROBE, PROBE_ATTRIBUTES, REMOTE_PARENT_SPAN_ID, RUN_ID, TRACE_ID, spanLab } from './probe-spans';

describe('spanToHopRecord: field mapping', () => {
  it('maps a SERVER hop to a complete record', () => {
    const lab = spanLab({ resource: { 'service.name': 'frontdoor', 'service.instance.id': 'frontdoor-2' } });
    const span = lab.start(
      'POST',
      SpanKind.SERVER,
      {
        ...PROBE_ATTRIBUTES,
        'http.route': '/calls/:number/voicemail',
        'http.request.method': 'POST',
        'http.response.status_code': 201,
      },
      undefined,
      [1_700_000_000, 123_456_789],
    );
    span.end([1_700_000_001, 500_000_000]);
    const finished = lab.exporter.getFinishedSpans()[0]!;
    expect(spanToHopRecord(finished)).toEqual({
      v: 1,
      runId: RUN_ID,
      probe: PROBE,
      traceId: TRACE_ID,
      spanId: finished.spanContext().spanId,
      parentSpanId: REMOTE_PARENT_SPAN_ID,
      kind: 'server',
      service: 'frontdoor',
      instance: 'frontdoor-2',
      operation: 'POST /calls/:number/voicemail',
      startUs: 1_700_000_000_123_456,
      durationUs: 1_376_543,
      status: 'ok',
      httpStatus: 201,
    });
  });

  it('maps a CONSUMER hop with its queue wait and origin trace id', () => {
    const lab = spanLab();
    const span = lab.finished('process vm:deposited', SpanKind.CONSUMER, {
      ...PROBE_ATTRIBUTES,
      'hoptrace.queue.wait_us': 2_500_000,
      'hoptrace.origin.trace_id': '4bf92f3577b34da6a3ce929d0e0e4736',
    });
    expect(spanToHopRecord(span)).toMatchObject({
      kind: 'consumer',
      operation: 'process vm:deposited',
      queueWaitUs: 2_500_000,
      originTraceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      status: 'ok',
    });
  });

  it('leaves out parentSpanId for a hop that starts the trace, and absent optional fields', () => {
    const lab = spanLab();
    const hop = spanToHopRecord(lab.finished('GET', SpanKind.SERVER, PROBE_ATTRIBUTES, ROOT_CONTEXT))!;
    expect(hop).toBeDefined();
    for (const field of ['parentSpanId', 'httpStatus', 'queueWaitUs', 'originTraceId', 'errorType', 'errorMessage']) {
      expect(hop).not.toHaveProperty(field);
    }
  });

  it('uses host.name:pid when there is no service.instance.id', () => {
    const lab = spanLab({ resource: { 'service.name': 'recorder', 'host.name': 'vm-host-7', 'process.pid': 4242 } });
    expect(spanToHopRecord(lab.finished('GET', SpanKind.SERVER, PROBE_ATTRIBUTES))?.instance).toBe('vm-host-7:4242');
  });

  it('falls back to host.name alone, then to unknown, for the instance and service', () => {
    const hostOnly = spanLab({ resource: { 'service.name': 'recorder', 'host.name': 'vm-host-7' } });
    expect(spanToHopRecord(hostOnly.finished('GET', SpanKind.SERVER, PROBE_ATTRIBUTES))?.instance).toBe('vm-host-7');
    const bare = spanLab({ resource: {} });
    expect(spanToHopRecord(bare.finished('GET', SpanKind.SERVER, PROBE_ATTRIBUTES))).toMatchObject({
      instance: 'unknown',
      service: 'unknown_service',
    });
  });

  it('uses the route without a method, the old http.method, and the span name when there is no route', () => {
    const lab = spanLab();
    const op = (attributes: Record<string, string>) =>
      spanToHopRecord(lab.finished('GET /raw/path', SpanKind.SERVER, { ...PROBE_ATTRIBUTES, ...attributes }))
        ?.operation;
    expect(op({ 'http.route': '/users/:id' })).toBe('/users/:id');
    expect(op({ 'http.route': '/users/:id', 'http.method': 'DELETE' })).toBe('DELETE /users/:id');
    expect(op({ 'http.request.method': 'GET' })).toBe('GET /raw/path');
  });

  it('reads the older http.status_code attribute too', () => {
    const lab = spanLab();
    const span = lab.finished('GET', SpanKind.SERVER, { ...PROBE_ATTRIBUTES, 'http.status_code': 404 });
    expect(spanToHopRecord(span)?.httpStatus).toBe(404);
  });

  it('takes error type and message from the exception event', () => {
    const lab = spanLab();
    const span = lab.start('GET', SpanKind.SERVER, PROBE_ATTRIBUTES);
    span.recordException(new RangeError('mailbox full'));
    span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
    expect(spanToHopRecord(lab.exporter.getFinishedSpans()[0]!)).toMatchObject({
      status: 'error',
      errorType: 'RangeError',
      errorMessage: 'mailbox full',
    });
  });

  it('prefers the status message, and takes the type from error.type when there is no exception', () => {
    const lab = spanLab();
    const span = lab.start('GET', SpanKind.SERVER, { ...PROBE_ATTRIBUTES, 'error.type': '503' });
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream unavailable' });
    span.end();
    expect(spanToHopRecord(lab.exporter.getFinishedSpans()[0]!)).toMatchObject({
      status: 'error',
      errorType: '503',
      errorMessage: 'upstream unavailable',
    });
  });

  it('ignores exception events on a span that did not fail', () => {
    const lab = spanLab();
    const span = lab.start('GET', SpanKind.SERVER, PROBE_ATTRIBUTES);
    span.recordException(new Error('handled and retried'));
    span.end();
    const hop = spanToHopRecord(lab.exporter.getFinishedSpans()[0]!)!;
    expect(hop.status).toBe('ok');
    expect(hop).not.toHaveProperty('errorMessage');
  });

  it('cuts a long error message to 512 characters and long labels to 256', () => {
    const lab = spanLab({ resource: { 'service.name': 's'.repeat(1000), 'service.instance.id': 'i'.repeat(1000) } });
    const span = lab.start('n'.repeat(1000), SpanKind.SERVER, PROBE_ATTRIBUTES);
    const error = new Error('m'.repeat(5000));
    error.name = 't'.repeat(1000);
    span.recordException(error);
    span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
    const hop = spanToHopRecord(lab.exporter.getFinishedSpans()[0]!)!;
    expect(hop.errorMessage).toHaveLength(MAX_ERROR_MESSAGE_LENGTH);
    expect(hop.errorMessage!.endsWith('…')).toBe(true);
    expect(hop.errorMessage!.startsWith('mmm')).toBe(true);
    for (const label of [hop.errorType, hop.service, hop.instance, hop.operation]) {
      expect(label).toHaveLength(MAX_LABEL_LENGTH);
    }
  });

  it('gives undefined, without throwing, for a span that does not make a valid record', () => {
    const lab = spanLab();
    const badProbe = lab.finished('GET', SpanKind.SERVER, { ...PROBE_ATTRIBUTES, 'hoptrace.probe.name': 'bad name!' });
    expect(spanToHopRecord(badProbe)).toBeUndefined();
    const noProbe = lab.finished('GET', SpanKind.SERVER, { 'hoptrace.run.id': RUN_ID });
    expect(spanToHopRecord(noProbe)).toBeUndefined();
    const badRunId = lab.finished('GET', SpanKind.SERVER, { ...PROBE_ATTRIBUTES, 'hoptrace.run.id': '{run}' });
    expect(spanToHopRecord(badRunId)).toBeUndefined();
  });

  it('drops a strange optional value, not the whole hop', () => {
    const lab = spanLab();
    const badStatus = lab.finished('GET', SpanKind.SERVER, { ...PROBE_ATTRIBUTES, 'http.response.status_code': 42 });
    const hop = spanToHopRecord(badStatus);
    expect(hop).toBeDefined();
    expect(hop!.httpStatus).toBeUndefined();
    const oddWait = lab.finished('process q', SpanKind.CONSUMER, {
      ...PROBE_ATTRIBUTES,
      'hoptrace.queue.wait_us': -12.7,
    });
    expect(spanToHopRecord(oddWait)!.queueWaitUs).toBe(0);
    const fractionalWait = lab.finished('process q', SpanKind.CONSUMER, {
      ...PROBE_ATTRIBUTES,
      'hoptrace.queue.wait_us': 1500.6,
    });
    expect(spanToHopRecord(fractionalWait)!.queueWaitUs).toBe(1501);
  });
});
