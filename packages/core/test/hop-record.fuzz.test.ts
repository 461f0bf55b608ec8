import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_HOP_EXITS } from '../src/attributes';
import {
  MAX_ERROR_MESSAGE_LENGTH,
  MAX_LABEL_LENGTH,
  decodeHopRecord,
  encodeHopRecord,
  type HopRecord,
} from '../src/hop-record';
import { fuzzParams, fuzzTimeoutMs } from '../../../test/support/fuzz';

// Hop records are read back from Redis, where anything with access may have written anything:
// decodeHopRecord must give a record exactly as it was written, or undefined, and never throw.

const hex = (length: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${length}}$`));
const text = (max: number, min = 0) =>
  fc.string({ unit: 'binary', minLength: min, maxLength: max }).filter((s) => s.length <= max);
const micros = fc.oneof(fc.nat(), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));

/** Any valid hop record, optional fields present or not, labels in any unicode. */
const hopRecord: fc.Arbitrary<HopRecord> = fc.record(
  {
    v: fc.constant(1 as const),
    runId: fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
    probe: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/),
    traceId: hex(32).filter((t) => !/^0+$/.test(t)),
    spanId: hex(16),
    parentSpanId: hex(16),
    kind: fc.constantFrom('server' as const, 'consumer' as const),
    service: text(MAX_LABEL_LENGTH, 1),
    instance: text(MAX_LABEL_LENGTH, 1),
    operation: text(MAX_LABEL_LENGTH, 1),
    startUs: micros,
    durationUs: micros,
    status: fc.constantFrom('ok' as const, 'error' as const),
    errorType: text(MAX_LABEL_LENGTH),
    errorMessage: text(MAX_ERROR_MESSAGE_LENGTH),
    httpStatus: fc.integer({ min: 100, max: 999 }),
    queueWaitUs: micros,
    exits: fc.array(
      fc.record(
        {
          spanId: hex(16),
          atUs: micros,
          peer: text(MAX_LABEL_LENGTH),
          unreached: fc.stringMatching(/^[A-Z][A-Z0-9_]{0,39}$/),
        },
        { requiredKeys: ['spanId', 'atUs'] },
      ),
      { maxLength: MAX_HOP_EXITS },
    ),
    originTraceId: hex(32).filter((t) => !/^0+$/.test(t)),
  },
  {
    requiredKeys: [
      'v',
      'runId',
      'probe',
      'traceId',
      'spanId',
      'kind',
      'service',
      'instance',
      'operation',
      'startUs',
      'durationUs',
      'status',
    ],
  },
);

const REQUIRED = ['v', 'runId', 'probe', 'traceId', 'spanId', 'kind', 'service', 'instance', 'operation'] as const;

/** A JSON value of another type than `like`'s (or out of its range, for numbers). */
function wrongFor(like: unknown): fc.Arbitrary<unknown> {
  const others: fc.Arbitrary<unknown>[] = [fc.constant(null), fc.boolean()];
  if (!Array.isArray(like)) others.push(fc.array(fc.jsonValue(), { maxLength: 3 }));
  else others.push(fc.array(fc.oneof(fc.constant(null), fc.string(), fc.nat()), { minLength: 1, maxLength: 3 }));
  if (typeof like !== 'string') others.push(fc.string());
  if (typeof like !== 'number') others.push(fc.double({ noNaN: true, noDefaultInfinity: true }));
  else others.push(fc.oneof(fc.integer({ max: -1 }), fc.double({ min: 0.001, max: 0.999 })));
  if (typeof like === 'string' || typeof like === 'number')
    others.push(fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 3 }));
  return fc.oneof(...others);
}

describe('hop records read back from Redis: fuzzing', () => {
  it(
    'decodeHopRecord never throws, whatever the stored value',
    () => {
      fc.assert(
        fc.property(
          fc.oneof(
            fc.string({ unit: 'binary' }),
            fc.json(),
            fc.jsonValue().map((v) => JSON.stringify({ v: 1, ...(typeof v === 'object' ? v : { x: v }) })),
            fc.anything().map((v) => v as string),
          ),
          (raw) => {
            const decoded = decodeHopRecord(raw);
            if (decoded !== undefined) expect(decodeHopRecord(encodeHopRecord(decoded))).toEqual(decoded);
          },
        ),
        fuzzParams(),
      );
    },
    fuzzTimeoutMs(),
  );

  it(
    'a valid record round-trips unchanged (nothing written is lost)',
    () => {
      fc.assert(
        fc.property(hopRecord, (hop) => {
          expect(decodeHopRecord(encodeHopRecord(hop))).toEqual(hop);
          // As another writer (Lua's cjson, another key order) might store it.
          const reordered = JSON.stringify(Object.fromEntries(Object.entries(hop).reverse()));
          expect(decodeHopRecord(reordered)).toEqual(hop);
        }),
        fuzzParams(),
      );
    },
    fuzzTimeoutMs(),
  );

  it(
    'a record with a field of the wrong type, or without a required field, is undefined',
    () => {
      const mutated = hopRecord.chain((hop) =>
        fc.oneof(
          fc.constantFrom(...REQUIRED).map((field) => {
            const { [field]: _dropped, ...rest } = hop;
            return rest;
          }),
          fc
            .constantFrom(...(Object.keys(hop) as (keyof HopRecord)[]))
            .chain((field) => wrongFor(hop[field]).map((value) => ({ ...hop, [field]: value }))),
        ),
      );
      fc.assert(
        fc.property(mutated, (record) => {
          expect(decodeHopRecord(JSON.stringify(record))).toBeUndefined();
        }),
        fuzzParams(),
      );
    },
    fuzzTimeoutMs(),
  );

  it(
    'JSON that is not an object is undefined',
    () => {
      fc.assert(
        fc.property(
          fc.jsonValue().filter((v) => v === null || typeof v !== 'object' || Array.isArray(v)),
          (value) => {
            expect(decodeHopRecord(JSON.stringify(value))).toBeUndefined();
          },
        ),
        fuzzParams(),
      );
    },
    fuzzTimeoutMs(),
  );

  it(
    'a valid record cut anywhere (a truncated write) is undefined',
    () => {
      fc.assert(
        fc.property(hopRecord, fc.nat(), (hop, at) => {
          const json = encodeHopRecord(hop);
          expect(decodeHopRecord(json.slice(0, at % json.length))).toBeUndefined();
        }),
        fuzzParams(),
      );
    },
    fuzzTimeoutMs(),
  );
});
