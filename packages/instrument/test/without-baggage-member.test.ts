import { ROOT_CONTEXT, defaultTextMapGetter, propagation } from '@opentelemetry/api';
import { W3CBaggagePropagator } from '@opentelemetry/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROBE_BAGGAGE_KEY } from '@hoptrace/core';
import { baggageMemberKey, withoutBaggageMember } from '../src/propagation';

const KEY = PROBE_BAGGAGE_KEY;

/** The members of a header as the grammar sees them: between commas, without the white space around. */
function members(header: string): string[] {
  return header
    .split(',')
    .map((m) => m.replace(/^[ \t]+|[ \t]+$/g, ''))
    .filter((m) => m !== '');
}

describe('withoutBaggageMember', () => {
  it.each([
    ['hoptrace.probe=tok', ''],
    ['hoptrace.probe=tok,tenant=acme', 'tenant=acme'],
    ['tenant=acme,hoptrace.probe=tok', 'tenant=acme'],
    ['a=1, hoptrace.probe=tok ,b=2;p=x', 'a=1,b=2;p=x'],
    ['a=1,hoptrace.probe=tok;prop=1;flag,b=2', 'a=1,b=2'],
    ['  hoptrace.probe = tok , a=1', 'a=1'],
    ['hoptrace%2Eprobe=tok,a=1', 'a=1'],
    ['hoptrace.probe,a=1', 'a=1'],
    ['hoptrace.probe;p=1', ''],
    ['hoptrace.probe=a,hoptrace.probe=b,c=3', 'c=3'],
  ])('%j without the probe member is %j', (header, expected) => {
    expect(withoutBaggageMember(header, KEY)).toBe(expected);
  });

  it.each([
    'tenant=acme',
    'a=hoptrace.probe',
    'x=1;hoptrace.probe=2',
    'HOPTRACE.PROBE=tok',
    'hoptrace.prober=tok',
    'xhoptrace.probe=tok',
    '',
  ])('leaves %j unchanged (no member named the probe key)', (header) => {
    expect(withoutBaggageMember(header, KEY)).toBe(header);
  });

  it('reads member keys as the grammar says', () => {
    expect(baggageMemberKey(' a = 1 ')).toBe('a');
    expect(baggageMemberKey('a;p=1')).toBe('a');
    expect(baggageMemberKey('%zz=1')).toBe('%zz');
  });

  // Members as they appear in real headers: tokens, percent-encoded text, properties, white space,
  // and the probe key written plainly, encoded, or padded.
  const keyArb = fc.oneof(
    fc.constantFrom(KEY, 'hoptrace%2Eprobe', 'hoptrace.%70robe', ' hoptrace.probe', 'hoptrace.probe\t'),
    fc.stringMatching(/^[A-Za-z0-9!#$&'*+.^_`|~%-]{1,12}$/),
  );
  const valueArb = fc.oneof(fc.stringMatching(/^[!#-+\--:<-[\]-~%]{0,16}$/), fc.constant(''));
  const propertiesArb = fc.array(fc.stringMatching(/^[a-z0-9]{1,5}(=[a-z0-9%]{0,5})?$/), { maxLength: 3 });
  const memberArb = fc
    .tuple(keyArb, fc.boolean(), valueArb, propertiesArb, fc.constantFrom('', ' ', '\t', '  '))
    .map(([key, withValue, value, props, ows]) =>
      `${ows}${key}${withValue ? `=${value}` : ''}${props.map((p) => `;${p}`).join('')}${ows}`.trimEnd(),
    );
  const headerArb = fc.array(memberArb, { maxLength: 12 }).map((list) => list.join(','));
  const isProbe = (member: string) => baggageMemberKey(member) === KEY;

  it('never leaves a member named the probe key', () => {
    fc.assert(
      fc.property(headerArb, (header) => {
        expect(members(withoutBaggageMember(header, KEY)).filter(isProbe)).toEqual([]);
      }),
    );
  });

  it('keeps every other member byte for byte, in order', () => {
    fc.assert(
      fc.property(headerArb, (header) => {
        expect(members(withoutBaggageMember(header, KEY))).toEqual(members(header).filter((m) => !isProbe(m)));
      }),
    );
  });

  it('is the identity without a probe member, and idempotent', () => {
    fc.assert(
      fc.property(headerArb, (header) => {
        const once = withoutBaggageMember(header, KEY);
        expect(withoutBaggageMember(once, KEY)).toBe(once);
        if (!members(header).some(isProbe)) expect(once).toBe(header);
      }),
    );
  });

  it('gives what OpenTelemetry reads from the header, minus the probe entry', () => {
    const w3c = new W3CBaggagePropagator();
    const read = (header: string) =>
      Object.fromEntries(
        (
          propagation
            .getBaggage(w3c.extract(ROOT_CONTEXT, { baggage: header }, defaultTextMapGetter))
            ?.getAllEntries() ?? []
        )
          .filter(([key]) => key !== KEY)
          .map(([key, entry]) => [key, entry.value]),
      );
    fc.assert(
      fc.property(headerArb, (header) => {
        const filtered = withoutBaggageMember(header, KEY);
        const after = propagation.getBaggage(w3c.extract(ROOT_CONTEXT, { baggage: filtered }, defaultTextMapGetter));
        expect(after?.getEntry(KEY)).toBeUndefined();
        expect(read(filtered)).toEqual(read(header));
      }),
    );
  });
});
