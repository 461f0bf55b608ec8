import { describe, expect, it } from 'vitest';
import { HoptraceError } from '../src/errors';
import {
  MAX_ERROR_MESSAGE_LENGTH,
  MAX_LABEL_LENGTH,
  decodeHopRecord,
  encodeHopRecord,
  truncate,
  type HopRecord,
} from '../src/hop-record';

const hop: HopRecord = {
  v: 1,
  runId: 'run-1',
  probe: 'deposit-voicemail',
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  parentSpanId: '00f067aa0ba902b7',
  kind: 'server',
  service: 'frontdoor',
  instance: 'frontdoor-1',
  operation: 'POST /calls/:number/voicemail',
  startUs: 1_700_000_000_123_456,
  durationUs: 1_234,
  status: 'error',
  errorType: 'TypeError',
  errorMessage: 'boom',
  httpStatus: 500,
  queueWaitUs: 0,
  originTraceId: '4bf92f3577b34da6a3ce929d0e0e4736',
};

function encodeError(record: unknown): HoptraceError {
  try {
    encodeHopRecord(record as HopRecord);
  } catch (error) {
    expect(error).toBeInstanceOf(HoptraceError);
    return error as HoptraceError;
  }
  throw new Error('encodeHopRecord accepted an invalid record');
}

describe('hop record', () => {
  it('round-trips through encode and decode', () => {
    expect(decodeHopRecord(encodeHopRecord(hop))).toEqual(hop);
  });

  it('round-trips a minimal record (optional fields absent)', () => {
    const {
      parentSpanId: _p,
      errorType: _t,
      errorMessage: _m,
      httpStatus: _h,
      queueWaitUs: _q,
      originTraceId: _o,
      ...minimal
    } = { ...hop, status: 'ok' as const };
    const raw = encodeHopRecord(minimal);
    expect(JSON.parse(raw)).toEqual(minimal);
    expect(decodeHopRecord(raw)).toEqual(minimal);
  });

  it('drops unknown fields when encoding', () => {
    const raw = encodeHopRecord({ ...hop, secret: 'x' } as HopRecord);
    expect(JSON.parse(raw)).not.toHaveProperty('secret');
  });

  it.each([
    ['version 2', { v: 2 }, 'v'],
    ['a run id with braces', { runId: '{run}' }, 'runId'],
    ['a bad probe name', { probe: 'bad name' }, 'probe'],
    ['an upper-case trace id', { traceId: hop.traceId.toUpperCase() }, 'traceId'],
    ['a short span id', { spanId: 'abc' }, 'spanId'],
    ['an unknown kind', { kind: 'client' }, 'kind'],
    ['an empty service', { service: '' }, 'service'],
    ['a service name too long', { service: 's'.repeat(MAX_LABEL_LENGTH + 1) }, 'service'],
    ['a negative start', { startUs: -1 }, 'startUs'],
    ['a fractional duration', { durationUs: 1.5 }, 'durationUs'],
    ['an unknown status', { status: 'slow' }, 'status'],
    ['an error message too long', { errorMessage: 'm'.repeat(MAX_ERROR_MESSAGE_LENGTH + 1) }, 'errorMessage'],
    ['an HTTP status below 100', { httpStatus: 42 }, 'httpStatus'],
    ['a negative queue wait', { queueWaitUs: -5 }, 'queueWaitUs'],
  ])('encode refuses %s with HOPTRACE_HOP_INVALID naming the field', (_label, change, field) => {
    const error = encodeError({ ...hop, ...change });
    expect(error.code).toBe('HOPTRACE_HOP_INVALID');
    expect(error.message).toContain(field);
  });

  it('encode refuses a record with a required field missing', () => {
    const { service: _service, ...withoutService } = hop;
    expect(encodeError(withoutService).code).toBe('HOPTRACE_HOP_INVALID');
  });

  it.each([
    ['empty text', ''],
    ['garbage', '\u0000\u0001garbage'],
    ['truncated JSON', encodeHopRecord(hop).slice(0, -2)],
    ['JSON null', 'null'],
    ['a JSON number', '42'],
    ['a JSON array', '[]'],
    ['another schema version', JSON.stringify({ ...hop, v: 2 })],
    ['a wrong field type', JSON.stringify({ ...hop, startUs: '1700000000' })],
    ['a missing field', JSON.stringify({ ...hop, runId: undefined })],
  ])('decode returns undefined for %s', (_label, raw) => {
    expect(decodeHopRecord(raw)).toBeUndefined();
  });
});

describe('truncate', () => {
  it('leaves text within the limit untouched', () => {
    expect(truncate('abc', 3)).toBe('abc');
    expect(truncate('', 3)).toBe('');
  });

  it('cuts longer text to exactly the limit, ending with an ellipsis', () => {
    const cut = truncate('abcdef', 4);
    expect(cut).toBe('abc…');
    expect(cut).toHaveLength(4);
  });

  it('makes any error message fit the hop record', () => {
    const cut = truncate('x'.repeat(10_000), MAX_ERROR_MESSAGE_LENGTH);
    expect(cut).toHaveLength(MAX_ERROR_MESSAGE_LENGTH);
    expect(decodeHopRecord(encodeHopRecord({ ...hop, errorMessage: cut }))?.errorMessage).toBe(cut);
  });
});
