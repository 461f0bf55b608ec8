import { defaultTextMapSetter, propagation, trace, type Context } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  MESSAGE_PUBLISHED_AT_FIELD,
  PROBE_BAGGAGE_KEY,
  PROBE_MESSAGE_FIELD,
  formatProbeMessageField,
} from '@hoptrace/core';
import type { TriggerCarrier } from '../plugins/types';

const propagator = new CompositePropagator({
  propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
});

/** The carrier a trigger puts on the wire: the context of `span` plus the probe token in baggage. */
export function runCarrier(context: Context, token: string): TriggerCarrier {
  const spanContext = trace.getSpanContext(context);
  const withToken = propagation.setBaggage(
    context,
    propagation.createBaggage({ [PROBE_BAGGAGE_KEY]: { value: token } }),
  );
  const headers: Record<string, string> = {};
  propagator.inject(withToken, headers, defaultTextMapSetter);
  Object.freeze(headers);
  return {
    traceparent: headers.traceparent!,
    baggage: headers.baggage!,
    headers,
    // A message carries the probe field too: a consumer that loses the trace context still
    // reports a context-broken hop rather than none.
    messageFields: () => ({
      ...headers,
      [PROBE_MESSAGE_FIELD]: formatProbeMessageField(spanContext?.traceId ?? '', token),
      [MESSAGE_PUBLISHED_AT_FIELD]: String(Date.now()),
    }),
    inject(carrier, set) {
      for (const [key, value] of Object.entries(headers)) {
        if (set) set(carrier, key, value);
        else (carrier as Record<string, string>)[key] = value;
      }
      return carrier;
    },
  };
}
