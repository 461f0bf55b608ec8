/**
 * Every span attribute and baggage key hoptrace reads or writes. One file, so that the
 * exporter, the instrumentation, the Oamserver and the docs cannot drift apart.
 */

/** W3C baggage key that carries the signed probe token. */
export const PROBE_BAGGAGE_KEY = 'hoptrace.probe';

/** Message field that carries the probe token next to `traceparent` (fallback when context is lost). */
export const PROBE_MESSAGE_FIELD = 'hoptrace-probe';

/**
 * Message header a traced publish (and the Oamserver's broker triggers) adds: when the message was
 * published, epoch ms, so that the consumer's hop knows its queue wait.
 */
export const MESSAGE_PUBLISHED_AT_FIELD = 'hoptrace-published-at';

/** Span attribute: the probe's name (set on every span of a verified probe run). */
export const ATTR_PROBE_NAME = 'hoptrace.probe.name';

/** Span attribute: the probe run id (set on every span of a verified probe run). */
export const ATTR_RUN_ID = 'hoptrace.run.id';

/** Span attribute: time the message waited in the queue before this consumer hop, in microseconds. */
export const ATTR_QUEUE_WAIT_US = 'hoptrace.queue.wait_us';

/**
 * Span attribute: the trace id the run started under, set on a consumer hop whose trace context
 * was lost on the way but whose probe token travelled in the message.
 */
export const ATTR_ORIGIN_TRACE_ID = 'hoptrace.origin.trace_id';

/**
 * Span attribute on a hop span: the outgoing calls and messages it made, as
 * `<spanId>:<atUs>[:<host:port>][|<code>]` strings (the CLIENT or PRODUCER span id, when it
 * started, in microseconds after the hop started, on the hop's own clock, where the call went when
 * known, and the error code when it reached no process). Lets the Oamserver link hops without
 * comparing clocks, and blame the service a call failed to reach. Written and read by
 * `encodeHopExit` / `parseHopExit`.
 */
export const ATTR_HOP_EXITS = 'hoptrace.hop.exits';

/**
 * Span attributes on a hop span: the first exception recorded inside the hop (on a child span,
 * e.g. Express's request handler), so the hop record says why it failed.
 */
export const ATTR_HOP_ERROR_TYPE = 'hoptrace.hop.error.type';
export const ATTR_HOP_ERROR_MESSAGE = 'hoptrace.hop.error.message';

/** Most exits kept per hop. */
export const MAX_HOP_EXITS = 32;

/** Standard semconv attribute that marks synthetic traffic; probes set it to `test`. */
export const ATTR_USER_AGENT_SYNTHETIC_TYPE = 'user_agent.synthetic.type';

/** The value of `user_agent.synthetic.type` that probes carry. */
export const SYNTHETIC_TYPE_TEST = 'test';
