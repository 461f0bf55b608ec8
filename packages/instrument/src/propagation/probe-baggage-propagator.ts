import {
  propagation,
  type Context,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from '@opentelemetry/api';
import { W3CBaggagePropagator } from '@opentelemetry/core';
import { PROBE_BAGGAGE_KEY } from '@hoptrace/core';
import { ProbeTokenScope } from './probe-token-scope';
import { withoutBaggageMember } from './without-baggage-member';

const BAGGAGE_HEADER = 'baggage';

/**
 * W3C Baggage, with the probe token kept inside: an injection whose destination (see
 * `destinationOf`) is not in the scope's allow-list gets the `baggage` OpenTelemetry would send
 * minus the probe's member (every other member byte for byte; no header when none is left), and
 * is counted in `scope.withheld`. Extraction, and every injection without a probe, are the inner
 * propagator's. Use it in place of `W3CBaggagePropagator` in your own SDK setup.
 */
export class ProbeBaggagePropagator implements TextMapPropagator {
  constructor(
    readonly scope: ProbeTokenScope = new ProbeTokenScope(),
    private readonly _inner: TextMapPropagator = new W3CBaggagePropagator(),
  ) {}

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const kind =
      propagation.getBaggage(context)?.getEntry(PROBE_BAGGAGE_KEY) === undefined
        ? undefined
        : this.scope.withholdFrom(context);
    if (kind === undefined) {
      this._inner.inject(context, carrier, setter);
      return;
    }
    this.scope.withheld[kind]++;
    this._inner.inject(context, carrier, {
      set(target, key, value) {
        if (key !== BAGGAGE_HEADER) return setter.set(target, key, value);
        const rest = withoutBaggageMember(value, PROBE_BAGGAGE_KEY);
        if (rest !== '') setter.set(target, key, rest);
      },
    });
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    return this._inner.extract(context, carrier, getter);
  }

  fields(): string[] {
    return this._inner.fields();
  }
}
