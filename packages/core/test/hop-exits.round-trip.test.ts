import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UNREACHED_ERROR_CODES, encodeHopExit, parseHopExit, type HopExit } from '../src/hop-exits';
import { hopRecordSchema } from '../src/hop-record';

const exit = fc.record(
  {
    spanId: fc.stringMatching(/^[0-9a-f]{16}$/),
    atUs: fc.integer({ min: 0, max: 999_999_999_999 }),
    peer: fc.oneof(
      fc.stringMatching(/^[a-z0-9.-]{1,60}:\d{1,5}$/),
      fc.stringMatching(/^\[[0-9a-f:]{2,39}\]:\d{1,5}$/),
      fc.stringMatching(/^[a-z0-9.-]{1,60}$/),
    ),
    unreached: fc.constantFrom(...UNREACHED_ERROR_CODES),
  },
  { requiredKeys: ['spanId', 'atUs'] },
);

describe('hop exits in their string form', () => {
  it('read back what was written, whatever the peer (host, host:port, [v6]:port) and outcome', () => {
    fc.assert(
      fc.property(exit, (written: HopExit) => {
        expect(parseHopExit(encodeHopExit(written))).toEqual(written);
      }),
    );
  });

  it('read the strings of earlier versions (no outcome) as before', () => {
    expect(parseHopExit('5b3f0c1d2e4a6978:2000')).toEqual({ spanId: '5b3f0c1d2e4a6978', atUs: 2000 });
    expect(parseHopExit('5b3f0c1d2e4a6978:2000:127.0.0.1:7002')).toEqual({
      spanId: '5b3f0c1d2e4a6978',
      atUs: 2000,
      peer: '127.0.0.1:7002',
    });
  });

  it('give what a hop record accepts', () => {
    fc.assert(
      fc.property(exit, (written: HopExit) => {
        const record = {
          v: 1,
          runId: '0mxcs31ag-d69fc9b5156a',
          probe: 'p',
          traceId: '0af7651916cd43dd8448eb211c80319c',
          spanId: 'b7ad6b7169203331',
          kind: 'server',
          service: 's',
          instance: 'i',
          operation: 'GET /',
          startUs: 1,
          durationUs: 1,
          status: 'ok',
          exits: [parseHopExit(encodeHopExit(written))],
        };
        expect(hopRecordSchema.safeParse(record).success).toBe(true);
      }),
    );
  });

  it('refuse anything else, never throwing', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.anything()), (junk) => {
        const parsed = parseHopExit(junk);
        // Whatever is read is a well-formed exit: it reads back the same once written again.
        if (parsed !== undefined) expect(parseHopExit(encodeHopExit(parsed))).toEqual(parsed);
      }),
    );
    for (const bad of [
      '',
      '5b3f0c1d2e4a6978',
      'zz3f0c1d2e4a6978:1',
      '5b3f0c1d2e4a6978:1|econnrefused',
      '5b3f0c1d2e4a6978:-1',
    ]) {
      expect(parseHopExit(bad)).toBeUndefined();
    }
  });

  it('leave out an outcome that is not an error code, and a peer holding the separator', () => {
    expect(encodeHopExit({ spanId: '5b3f0c1d2e4a6978', atUs: 1, unreached: 'not a code' })).toBe('5b3f0c1d2e4a6978:1');
    expect(encodeHopExit({ spanId: '5b3f0c1d2e4a6978', atUs: 1, peer: 'a|b' })).toBe('5b3f0c1d2e4a6978:1');
  });
});
