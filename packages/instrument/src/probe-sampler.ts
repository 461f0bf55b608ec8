import {
  SamplingDecision,
  propagation,
  type Attributes,
  type Context,
  type Link,
  type Sampler,
  type SamplingResult,
  type SpanKind,
} from '@opentelemetry/api';
import {
  ATTR_ORIGIN_TRACE_ID,
  ATTR_PROBE_NAME,
  ATTR_RUN_ID,
  ATTR_USER_AGENT_SYNTHETIC_TYPE,
  PROBE_BAGGAGE_KEY,
  SYNTHETIC_TYPE_TEST,
} from '@hoptrace/core';
import type { ProbeVerifier } from './probe-verifier';

/**
 * A sampler that always records and samples probe runs, whatever the sampling of ordinary
 * traffic, and leaves every other decision to the sampler it wraps (yours, or the one
 * `OTEL_TRACES_SAMPLER` names). A span is a probe when the baggage of its parent context holds a
 * probe token that verifies against the span's trace id. Probe spans are stamped with
 * `hoptrace.probe.name`, `hoptrace.run.id` and `user_agent.synthetic.type=test`.
 *
 * A consumer whose trace context was lost on the way (context broken) passes the trace id the
 * token was signed for as the `hoptrace.origin.trace_id` start attribute; it is verified the same way.
 */
export class ProbeSampler implements Sampler {
  constructor(
    private readonly _delegate: Sampler,
    private readonly _verifier: ProbeVerifier,
  ) {}

  shouldSample(
    context: Context,
    traceId: string,
    spanName: string,
    spanKind: SpanKind,
    attributes: Attributes,
    links: Link[],
  ): SamplingResult {
    try {
      const token = propagation.getBaggage(context)?.getEntry(PROBE_BAGGAGE_KEY)?.value;
      if (token !== undefined) {
        const origin = attributes[ATTR_ORIGIN_TRACE_ID];
        const boundTo = typeof origin === 'string' ? origin : traceId;
        const probe = this._verifier.verify(token, boundTo);
        if (probe) {
          return {
            decision: SamplingDecision.RECORD_AND_SAMPLED,
            attributes: {
              [ATTR_PROBE_NAME]: probe.probe,
              [ATTR_RUN_ID]: probe.runId,
              [ATTR_USER_AGENT_SYNTHETIC_TYPE]: SYNTHETIC_TYPE_TEST,
            },
          };
        }
      }
    } catch {
      // Never let probe detection break tracing: fall through to the ordinary sampler.
    }
    return this._delegate.shouldSample(context, traceId, spanName, spanKind, attributes, links);
  }

  toString(): string {
    return `ProbeSampler{${this._delegate.toString()}}`;
  }
}
