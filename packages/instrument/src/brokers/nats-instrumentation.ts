import {
  InstrumentationBase,
  InstrumentationNodeModuleDefinition,
  InstrumentationNodeModuleFile,
} from '@opentelemetry/instrumentation';
import { natsConnectionPeer } from './broker-peer';
import { publishHeaders, runMessageHandler, startMessageHop, type BrokerTracingOptions } from './message-hop';

/** The parts of nats.js's message headers (`MsgHdrs`) used here. */
interface MsgHdrs {
  keys(): string[];
  values(key: string): string[];
  get(key: string): string;
  has(key: string): boolean;
  append(key: string, value: string): void;
}
interface NatsMessage {
  headers?: MsgHdrs;
  subject?: string;
}
type Callback = (error: unknown, msg: NatsMessage) => unknown;
type Publish = (
  this: unknown,
  subject: string,
  data?: unknown,
  options?: { headers?: MsgHdrs } & Record<string, unknown>,
) => unknown;
type Subscribe = (
  this: unknown,
  subject: string,
  options?: { callback?: Callback } & Record<string, unknown>,
) => unknown;
interface ConnectionPrototype {
  publish: Publish;
  subscribe: Subscribe;
}

const VERSIONS = ['>=2.0.0 <3'];

/** Message headers as a plain object (first value of each key), for the trace context. */
function headerRecord(headers: MsgHdrs | undefined): Record<string, string> | undefined {
  if (!headers) return undefined;
  const record: Record<string, string> = {};
  for (const key of headers.keys()) record[key] = headers.get(key);
  return record;
}

/**
 * NATS core through `nats` (nats.js 2.x), with no code change in the service, in full and
 * probe-only mode alike:
 * - `publish` inside a traced operation (a probe, in probe-only mode) is a PRODUCER span, an
 *   exit of the hop, and the message carries `traceparent`, `baggage`, the probe field and when
 *   it was published in its headers (a copy of the app's headers, whose own keys win);
 * - a message with trace context (a probe's, in probe-only mode) delivered to a subscription's
 *   `callback` is a hop: a CONSUMER span `process <subject>` with its queue wait, the callback
 *   running in its context; the hop ends when the callback is done (core NATS has no
 *   acknowledgement), failed when it throws or its promise rejects.
 * Subscriptions read with `for await` are not traced: the loop's body runs in the reader's own
 * context, out of reach; hand their messages to `runInMessageContext` (see the README).
 */
export class NatsInstrumentation extends InstrumentationBase {
  private readonly _tracing: BrokerTracingOptions;
  /** nats.js's `headers()` factory, from its own module, to build headers for a message without. */
  private _headers: (() => MsgHdrs) | undefined;

  constructor(tracing: BrokerTracingOptions) {
    super('@hoptrace/instrument/nats', '1.0.0', {});
    this._tracing = tracing;
  }

  protected init() {
    return [
      new InstrumentationNodeModuleDefinition('nats', VERSIONS, undefined, undefined, [
        new InstrumentationNodeModuleFile(
          'nats/lib/nats-base-client/headers.js',
          VERSIONS,
          (exports: { headers?: () => MsgHdrs }) => {
            if (typeof exports.headers === 'function') this._headers = exports.headers;
            return exports;
          },
          () => undefined,
        ),
        new InstrumentationNodeModuleFile(
          'nats/lib/nats-base-client/nats.js',
          VERSIONS,
          (exports: { NatsConnectionImpl?: { prototype: ConnectionPrototype } }) => {
            const proto = exports.NatsConnectionImpl?.prototype;
            if (typeof proto?.publish === 'function' && typeof proto.subscribe === 'function') this._patch(proto);
            return exports;
          },
          (exports?: { NatsConnectionImpl?: { prototype: ConnectionPrototype } }) => {
            const proto = exports?.NatsConnectionImpl?.prototype;
            if (proto) {
              this._unwrap(proto, 'publish');
              this._unwrap(proto, 'subscribe');
            }
          },
        ),
      ]),
    ];
  }

  private _patch(proto: ConnectionPrototype): void {
    const tracing = this._tracing;
    const newHeaders = (): MsgHdrs | undefined => this._headers?.();
    this._wrap(
      proto,
      'publish',
      (original: Publish) =>
        function publish(this: unknown, subject, data, options) {
          let sent = options;
          try {
            const injected = publishHeaders(
              headerRecord(options?.headers),
              subject,
              'nats',
              tracing,
              natsConnectionPeer(this),
            );
            const headers = injected ? copyWith(options?.headers, injected, newHeaders) : undefined;
            if (headers) sent = { ...options, headers };
          } catch {
            sent = options;
          }
          return original.call(this, subject, data, sent);
        },
    );
    this._wrap(
      proto,
      'subscribe',
      (original: Subscribe) =>
        function subscribe(this: unknown, subject, options) {
          const callback = options?.callback;
          if (typeof callback !== 'function') return original.call(this, subject, options);
          const traced: Callback = (error, msg) => {
            let hop: ReturnType<typeof startMessageHop>;
            try {
              hop = error ? undefined : startMessageHop(headerRecord(msg?.headers), subject, 'nats', tracing);
            } catch {
              hop = undefined;
            }
            return hop ? runMessageHandler(hop, () => callback(error, msg), true) : callback(error, msg);
          };
          return original.call(this, subject, { ...options, callback: traced });
        },
    );
  }
}

/**
 * New headers holding the app's own (every value of every key) and ours where the app set none;
 * undefined when nats.js's header factory was not found (the message then goes out untouched).
 */
function copyWith(
  own: MsgHdrs | undefined,
  ours: Record<string, unknown>,
  newHeaders: () => MsgHdrs | undefined,
): MsgHdrs | undefined {
  const headers = newHeaders();
  if (!headers) return undefined;
  if (own) for (const key of own.keys()) for (const value of own.values(key)) headers.append(key, value);
  for (const [key, value] of Object.entries(ours)) {
    if (typeof value === 'string' && !headers.has(key)) headers.append(key, value);
  }
  return headers;
}
