import { describe, expect, it } from 'vitest';
import { captureReferences, capturesOf, checkJourneys } from '../src/config/journey-checks';
import type { ProbeDefinition } from '../src/config/probe-config-schema';
import type { TriggerPlugin } from '../src/plugins/types';
import { substituteCaptures } from '../src/runner/captures';

// Values captured by a journey's steps (docs/plugins.md, "Journeys"): `${name}` in any string of
// a step's trigger options is replaced by the value an earlier step captured; the config is
// refused when a step uses a name no earlier step captures.

describe('substituteCaptures', () => {
  it('replaces ${name} in every string, however deep, and leaves everything else as it is', () => {
    const options = {
      method: 'DELETE',
      url: 'http://127.0.0.1:7001/subscribers/${number}/messages/${messageId}',
      headers: { 'x-pin': '${pin}', 'x-trace': 'plain' },
      body: { ids: ['${messageId}', 7, null, true], nested: { note: 'id ${messageId} of ${number}' } },
      expectStatus: 204,
    };
    const { value, missing } = substituteCaptures(options, { messageId: 'm-17', number: 4155550111, pin: false });
    expect(missing).toEqual([]);
    expect(value).toEqual({
      method: 'DELETE',
      url: 'http://127.0.0.1:7001/subscribers/4155550111/messages/m-17',
      headers: { 'x-pin': 'false', 'x-trace': 'plain' },
      body: { ids: ['m-17', 7, null, true], nested: { note: 'id m-17 of 4155550111' } },
      expectStatus: 204,
    });
  });

  it('does not change the options it was given (they are the probe config, used again by the next run)', () => {
    const options = { url: 'http://x/${id}', list: ['${id}'] };
    const copy = structuredClone(options);
    substituteCaptures(options, { id: 'a' });
    expect(options).toEqual(copy);
  });

  it('names each value no step captured once, and leaves its ${name} as written', () => {
    const { value, missing } = substituteCaptures(
      { url: 'http://x/${orderId}/${orderId}/${customer}', command: 'SHIP ${orderId}', kept: '${known}' },
      { known: 'k' },
    );
    expect(missing.sort()).toEqual(['customer', 'orderId']);
    expect(value).toEqual({
      url: 'http://x/${orderId}/${orderId}/${customer}',
      command: 'SHIP ${orderId}',
      kept: 'k',
    });
  });

  it('only ${name} with a name of letters, digits and _ is a reference; keys are never replaced', () => {
    const { value, missing } = substituteCaptures(
      { '${id}': '$id ${ id } ${1id} ${id-x} $${id} {id}', other: '${_id2}' },
      { id: 'X', _id2: 'Y' },
    );
    expect(missing).toEqual([]);
    expect(value).toEqual({ '${id}': '$id ${ id } ${1id} ${id-x} $X {id}', other: 'Y' });
  });

  it('gives the same answer when called again (the shared pattern keeps no state between calls)', () => {
    const options = { a: '${x}', b: '${x}${x}' };
    const first = substituteCaptures(options, { x: '1' });
    const second = substituteCaptures(options, { x: '1' });
    expect(second).toEqual(first);
    expect(second.value).toEqual({ a: '1', b: '11' });
  });

  it('a name the captured values do not hold is missing even when every object has it (toString, constructor)', () => {
    const { value, missing } = substituteCaptures(
      { a: '${toString}', b: '${constructor}', c: '${hasOwnProperty}' },
      {},
    );
    expect(missing.sort()).toEqual(['constructor', 'hasOwnProperty', 'toString']);
    expect(value).toEqual({ a: '${toString}', b: '${constructor}', c: '${hasOwnProperty}' });
  });

  it('options that are not objects or strings pass through', () => {
    expect(substituteCaptures(undefined, {})).toEqual({ value: undefined, missing: [] });
    expect(substituteCaptures(42, { a: 1 })).toEqual({ value: 42, missing: [] });
    expect(substituteCaptures('${a}-${a}', { a: 1 })).toEqual({ value: '1-1', missing: [] });
  });
});

describe('captureReferences', () => {
  it('finds every ${name} with the path of the string it is in', () => {
    expect(
      captureReferences({
        url: 'http://x/${messageId}/${number}',
        headers: { 'x-pin': '${pin}' },
        body: { ids: ['a', '${messageId}'], count: 3, flag: true, nothing: null },
      }),
    ).toEqual([
      { name: 'messageId', path: ['url'] },
      { name: 'number', path: ['url'] },
      { name: 'pin', path: ['headers', 'x-pin'] },
      { name: 'messageId', path: ['body', 'ids', 1] },
    ]);
  });

  it('starts from the path it is given; finds none where there is none; again gives the same', () => {
    const options = { command: 'SHIP-${orderId}' };
    expect(captureReferences(options, ['probes', 0, 'trigger', 'line'])).toEqual([
      { name: 'orderId', path: ['probes', 0, 'trigger', 'line', 'command'] },
    ]);
    expect(captureReferences(options)).toEqual(captureReferences(options));
    expect(captureReferences({ a: '$orderId', b: '${ orderId }', c: 5 })).toEqual([]);
    expect(captureReferences('${a}')).toEqual([{ name: 'a', path: [] }]);
  });

  it('finds exactly the names substituteCaptures replaces', () => {
    const options = { a: 'x${one}y${two}', b: ['${three}', { c: '${one}' }], d: '${4x} ${ok_4}' };
    const names = [...new Set(captureReferences(options).map((ref) => ref.name))].sort();
    expect(names).toEqual(['ok_4', 'one', 'three', 'two']);
    expect(substituteCaptures(options, {}).missing.sort()).toEqual(names);
  });
});

/** A trigger plugin that captures what `captures` says (only what checkJourneys reads). */
function pluginCapturing(captures: TriggerPlugin['captures']): TriggerPlugin {
  return { type: 'trigger', kind: 'line', options: undefined as never, captures, fire: () => ({ delivered: true }) };
}

/** Probes as checkJourneys reads them: names, and each step's name, trigger and cleanup. */
function journey(steps: { name: string; kind: string; options: unknown; cleanup?: boolean }[]): ProbeDefinition {
  return {
    name: 'order-journey',
    journey: true,
    steps: steps.map((step) => ({
      name: step.name,
      trigger: { kind: step.kind, options: step.options },
      cleanup: step.cleanup ?? false,
    })),
  } as unknown as ProbeDefinition;
}

describe('capturesOf and checkJourneys', () => {
  it('capturesOf: the names a plugin declares, as a list or from its options; none when it declares none or its function throws', () => {
    expect(capturesOf(pluginCapturing(['orderId']), {})).toEqual(['orderId']);
    expect(
      capturesOf(
        pluginCapturing((options) => Object.keys((options as { capture: object }).capture)),
        { capture: { a: 1, b: 2 } },
      ),
    ).toEqual(['a', 'b']);
    expect(capturesOf(pluginCapturing(undefined), {})).toEqual([]);
    expect(capturesOf(undefined, {})).toEqual([]);
    expect(
      capturesOf(
        pluginCapturing(() => {
          throw new Error('no');
        }),
        {},
      ),
    ).toEqual([]);
  });

  it('a step may use what an earlier step captures, not what a later one does', () => {
    const line = pluginCapturing(['orderId']);
    const pluginOf = (kind: string) => (kind === 'line' ? line : undefined);
    expect(
      checkJourneys(
        [
          journey([
            { name: 'order', kind: 'line', options: { command: 'ORDER' } },
            { name: 'ship', kind: 'line', options: { command: 'SHIP-${orderId}' } },
          ]),
        ],
        pluginOf,
      ),
    ).toEqual([]);
    expect(
      checkJourneys(
        [
          journey([
            { name: 'lookup', kind: 'http', options: { url: 'http://x/' } },
            { name: 'ship', kind: 'line', options: { command: 'SHIP-${orderId}' } },
            { name: 'order', kind: 'line', options: { command: 'ORDER' } },
          ]),
        ],
        pluginOf,
      ),
    ).toEqual([
      {
        path: 'probes.0.steps.1.trigger.line.command',
        message: 'uses ${orderId}, which no earlier step captures (no earlier step captures anything)',
      },
    ]);
  });

  it('says what was captured before the step, and checks names, cleanup order, in every journey', () => {
    const pluginOf = (kind: string) => (kind === 'line' ? pluginCapturing(['orderId']) : undefined);
    const issues = checkJourneys(
      [
        journey([{ name: 'only', kind: 'http', options: { url: 'http://x/' } }]),
        journey([
          { name: 'order', kind: 'line', options: { command: 'ORDER' } },
          { name: 'cancel', kind: 'http', options: { url: 'http://x/${orderId}' }, cleanup: true },
          { name: 'order', kind: 'http', options: { url: 'http://x/${orderId}/${invoice}', headers: { a: '${b}' } } },
        ]),
      ],
      pluginOf,
    );
    expect(issues).toEqual([
      { path: 'probes.1.steps.2.name', message: '"order" is already the name of steps.0' },
      {
        path: 'probes.1.steps.2.cleanup',
        message: 'cleanup steps come after every other step (they run last, whatever happened)',
      },
      {
        path: 'probes.1.steps.2.trigger.http.url',
        message: 'uses ${invoice}, which no earlier step captures (captured before this step: orderId)',
      },
      {
        path: 'probes.1.steps.2.trigger.http.headers.a',
        message: 'uses ${b}, which no earlier step captures (captured before this step: orderId)',
      },
    ]);
  });
});
