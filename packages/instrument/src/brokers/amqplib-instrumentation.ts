import type { Span } from '@opentelemetry/api';
import {
  InstrumentationBase,
  InstrumentationNodeModuleDefinition,
  InstrumentationNodeModuleFile,
} from '@opentelemetry/instrumentation';
import { amqpChannelPeer } from './broker-peer';
import {
  MAX_UNSETTLED,
  endMessageHop,
  failMessageHop,
  publishHeaders,
  runMessageHandler,
  startMessageHop,
  type BrokerTracingOptions,
} from './message-hop';

/** The parts of an amqplib message read here. */
interface AmqpMessage {
  fields?: { deliveryTag?: number; exchange?: string; routingKey?: string };
  properties?: { headers?: Record<string, unknown>; messageId?: string };
}
type PublishOptions = { headers?: Record<string, unknown> } & Record<string, unknown>;
type Publish = (
  this: unknown,
  exchange: string,
  routingKey: string,
  content: unknown,
  options?: PublishOptions,
  ...rest: unknown[]
) => unknown;
type Consume = (
  this: unknown,
  queue: string,
  callback: (msg: AmqpMessage | null) => unknown,
  options?: { noAck?: boolean },
  ...rest: unknown[]
) => unknown;
type Settle = (this: unknown, ...args: unknown[]) => unknown;
interface ChannelPrototype {
  publish: Publish;
  consume: Consume;
  ack: Settle;
  ackAll: Settle;
  nack: Settle;
  nackAll: Settle;
  reject: Settle;
}

const UNSETTLED = Symbol('hoptrace unsettled message hops');

/** The CONSUMER spans of a channel's messages awaiting their ack, by delivery tag (bounded). */
function unsettled(channel: unknown): Map<number, Span> {
  const holder = channel as { [UNSETTLED]?: Map<number, Span> };
  holder[UNSETTLED] ??= new Map();
  return holder[UNSETTLED];
}

/** Ends the hops of the messages an ack or nack settles: one, every one up to it, or all. */
function settle(channel: unknown, message: unknown, allUpTo: boolean, outcome: (span: Span) => void): void {
  const hops = (channel as { [UNSETTLED]?: Map<number, Span> })[UNSETTLED];
  if (!hops || hops.size === 0) return;
  const tag = (message as AmqpMessage | undefined)?.fields?.deliveryTag;
  for (const [delivery, span] of hops) {
    if (tag === undefined || delivery === tag || (allUpTo && delivery <= tag)) {
      hops.delete(delivery);
      outcome(span);
    }
  }
}

function refused(how: string, requeue: unknown): (span: Span) => void {
  const again = requeue === false ? 'dropped or dead-lettered' : 'requeued';
  return (span) => failMessageHop(span, new Error(`the consumer refused the message (${how}; ${again})`), 'rejected');
}

/**
 * RabbitMQ (AMQP 0-9-1) through `amqplib`, with no code change in the service, in full and
 * probe-only mode alike:
 * - `publish`/`sendToQueue` inside a traced operation (a probe, in probe-only mode) is a PRODUCER
 *   span, an exit of the hop, and the message carries `traceparent`, `baggage`, the probe field
 *   and when it was published in its headers (the app's own headers win);
 * - a message consumed with trace context (a probe's, in probe-only mode) is a hop: a CONSUMER
 *   span `process <queue>` with its queue wait, the consumer's callback running in its context;
 *   `ack` ends it well, `nack`/`reject` or a callback that throws ends it failed; with `noAck`
 *   it ends when the callback is done. A message whose trace context was lost but whose probe
 *   field is there is reported under another trace (context broken), as with the Redis helpers.
 * Ordinary messages in probe-only mode pay a context lookup when published and a look at their
 * headers when consumed.
 */
export class AmqplibInstrumentation extends InstrumentationBase {
  private readonly _tracing: BrokerTracingOptions;

  constructor(tracing: BrokerTracingOptions) {
    super('@hoptrace/instrument/amqplib', '1.0.0', {});
    this._tracing = tracing;
  }

  protected init() {
    const files = ['amqplib/lib/channel_model.js', 'amqplib/lib/callback_model.js'].map(
      (file) =>
        new InstrumentationNodeModuleFile(
          file,
          ['>=0.5.5 <3'],
          (exports: { Channel?: { prototype: ChannelPrototype } }) => {
            if (typeof exports.Channel?.prototype.publish === 'function') this._patch(exports.Channel.prototype);
            return exports;
          },
          (exports?: { Channel?: { prototype: ChannelPrototype } }) => {
            if (exports?.Channel) this._unpatch(exports.Channel.prototype);
          },
        ),
    );
    return [new InstrumentationNodeModuleDefinition('amqplib', ['>=0.5.5 <3'], undefined, undefined, files)];
  }

  private _patch(proto: ChannelPrototype): void {
    const tracing = this._tracing;
    this._wrap(
      proto,
      'publish',
      (original: Publish) =>
        function publish(this: unknown, exchange, routingKey, content, options, ...rest) {
          let headers: Record<string, unknown> | undefined;
          try {
            headers = publishHeaders(
              options?.headers,
              exchange || routingKey,
              'rabbitmq',
              tracing,
              amqpChannelPeer(this),
            );
          } catch {
            headers = undefined;
          }
          const sent = headers ? { ...options, headers } : options;
          return original.call(this, exchange, routingKey, content, sent, ...rest);
        },
    );
    this._wrap(
      proto,
      'consume',
      (original: Consume) =>
        function consume(this: unknown, queue, callback, options, ...rest) {
          if (typeof callback !== 'function') return original.call(this, queue, callback, options, ...rest);
          const noAck = options?.noAck === true;
          const traced = tracedCallback(this, queue, callback, noAck, tracing);
          return original.call(this, queue, traced, options, ...rest);
        },
    );
    this._wrap(
      proto,
      'ack',
      (original: Settle) =>
        function ack(this: unknown, message, allUpTo) {
          settle(this, message, allUpTo === true, endMessageHop);
          return original.call(this, message, allUpTo);
        },
    );
    this._wrap(
      proto,
      'ackAll',
      (original: Settle) =>
        function ackAll(this: unknown) {
          settle(this, undefined, true, endMessageHop);
          return original.call(this);
        },
    );
    this._wrap(
      proto,
      'nack',
      (original: Settle) =>
        function nack(this: unknown, message, allUpTo, requeue) {
          settle(this, message, allUpTo === true, refused('nack', requeue));
          return original.call(this, message, allUpTo, requeue);
        },
    );
    this._wrap(
      proto,
      'nackAll',
      (original: Settle) =>
        function nackAll(this: unknown, requeue) {
          settle(this, undefined, true, refused('nack', requeue));
          return original.call(this, requeue);
        },
    );
    this._wrap(
      proto,
      'reject',
      (original: Settle) =>
        function reject(this: unknown, message, requeue) {
          settle(this, message, false, refused('reject', requeue));
          return original.call(this, message, requeue);
        },
    );
  }

  private _unpatch(proto: ChannelPrototype): void {
    for (const name of ['publish', 'consume', 'ack', 'ackAll', 'nack', 'nackAll', 'reject'] as const) {
      this._unwrap(proto, name);
    }
  }
}

/** The consumer's callback, each message it is given handled as a hop when it carries one. */
function tracedCallback(
  channel: unknown,
  queue: string,
  callback: (msg: AmqpMessage | null) => unknown,
  noAck: boolean,
  tracing: BrokerTracingOptions,
): (msg: AmqpMessage | null) => unknown {
  return (msg) => {
    const hop = msg ? messageHop(channel, msg, queue, noAck, tracing) : undefined;
    return hop ? runMessageHandler(hop, () => callback(msg), noAck) : callback(msg);
  };
}

/** The hop of a consumed message, remembered until its ack unless nobody acks (`noAck`). */
function messageHop(channel: unknown, msg: AmqpMessage, queue: string, noAck: boolean, tracing: BrokerTracingOptions) {
  try {
    const messageId = msg.properties?.messageId;
    const hop = startMessageHop(msg.properties?.headers, queue, 'rabbitmq', {
      ...tracing,
      ...(typeof messageId === 'string' ? { messageId } : {}),
    });
    const tag = msg.fields?.deliveryTag;
    if (!hop || noAck || tag === undefined) return hop;
    const hops = unsettled(channel);
    if (hops.size >= MAX_UNSETTLED) {
      // Too many messages unacknowledged: this one is handled untraced rather than held in memory.
      hop.span.end();
      return undefined;
    }
    hops.set(tag, hop.span);
    return hop;
  } catch {
    return undefined;
  }
}
