import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { z } from 'zod';
import { defineTriggerPlugin, type TriggerResult } from '../plugins/types';

const messageBody = z.union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())]);
const messageHeaders = z.record(z.string(), z.string());

/** A RabbitMQ message that starts a run: published to an exchange (or a queue, through the default exchange). */
export const rabbitmqTriggerOptions = z
  .object({
    url: z
      .string()
      .refine((u) => URL.canParse(u) && /^amqps?:$/.test(new URL(u).protocol), 'must be an amqp:// or amqps:// URL')
      .default('amqp://guest:guest@127.0.0.1:5672'),
    /** The exchange; the default exchange (`""`) routes by queue name. */
    exchange: z.string().default(''),
    /** The routing key: with the default exchange, the queue's name. */
    routingKey: z.string().min(1),
    /** The message body: JSON for objects and arrays, as it is for a string. */
    body: messageBody.default({}),
    headers: messageHeaders.optional(),
  })
  .strict();

/** A NATS message that starts a run (core NATS publish). */
export const natsTriggerOptions = z
  .object({
    servers: z.string().min(1).default('nats://127.0.0.1:4222'),
    subject: z.string().min(1),
    body: messageBody.default({}),
    headers: messageHeaders.optional(),
  })
  .strict();

type RabbitmqTrigger = z.output<typeof rabbitmqTriggerOptions>;
type NatsTrigger = z.output<typeof natsTriggerOptions>;

/** The parts of amqplib's confirm channel used here. */
interface ConfirmChannel {
  publish(
    exchange: string,
    routingKey: string,
    content: Buffer,
    options: Record<string, unknown>,
    callback: (error: unknown) => void,
  ): boolean;
  on(event: 'return', listener: (msg: { properties: { messageId?: string } }) => void): void;
}
interface AmqpConnection {
  createConfirmChannel(): Promise<ConfirmChannel>;
  on(event: 'error' | 'close', listener: () => void): void;
  close(): Promise<void>;
}
/** The parts of nats.js used here. */
interface NatsConnection {
  publish(subject: string, data: Uint8Array, options: { headers: { set(key: string, value: string): void } }): void;
  flush(): Promise<void>;
  close(): Promise<void>;
  closed(): Promise<unknown>;
}

// The broker clients are loaded only by an Oamserver that has a broker trigger.
const load = createRequire(__filename);

function bodyOf(body: unknown): Buffer {
  return Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
}

function failed(error: string): TriggerResult {
  return { delivered: false, error };
}

/** Gives up on a step that takes longer than the probe's timeout. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The Oamserver's connections to the brokers its triggers publish to: one per URL, opened on first
 * use, opened again after it breaks, closed with `close()`.
 */
export class BrokerClients {
  private readonly _amqp = new Map<string, Promise<{ connection: AmqpConnection; channel: ConfirmChannel }>>();
  private readonly _nats = new Map<string, Promise<NatsConnection>>();
  /** Run ids of RabbitMQ messages the broker returned as unroutable, by message id. */
  private readonly _returned = new Set<string>();

  private _amqpChannel(url: string) {
    let opened = this._amqp.get(url);
    if (!opened) {
      const amqp = load('amqplib') as { connect(url: string): Promise<AmqpConnection> };
      opened = amqp.connect(url).then(async (connection) => {
        const forget = () => this._amqp.delete(url);
        connection.on('error', forget);
        connection.on('close', forget);
        const channel = await connection.createConfirmChannel();
        channel.on('return', (msg) => {
          if (msg.properties.messageId) this._returned.add(msg.properties.messageId);
        });
        return { connection, channel };
      });
      opened.catch(() => this._amqp.delete(url));
      this._amqp.set(url, opened);
    }
    return opened;
  }

  private _natsConnection(servers: string) {
    let opened = this._nats.get(servers);
    if (!opened) {
      const nats = load('nats') as { connect(options: { servers: string[] }): Promise<NatsConnection> };
      opened = nats.connect({ servers: servers.split(',') }).then((connection) => {
        void connection.closed().then(() => this._nats.delete(servers));
        return connection;
      });
      opened.catch(() => this._nats.delete(servers));
      this._nats.set(servers, opened);
    }
    return opened;
  }

  /**
   * Publishes the message that starts a run, with the run's context in its headers, and waits
   * for the broker to confirm it. `mandatory`: a message no queue takes comes back, and the
   * trigger says it was not delivered. Never throws.
   */
  async fireRabbitmq(
    trigger: RabbitmqTrigger,
    headers: Record<string, string>,
    timeoutMs: number,
  ): Promise<TriggerResult> {
    const messageId = `hoptrace-${randomBytes(8).toString('hex')}`;
    try {
      const { channel } = await within(this._amqpChannel(trigger.url), timeoutMs, 'connecting to RabbitMQ');
      await within(
        new Promise<void>((resolve, reject) => {
          channel.publish(
            trigger.exchange,
            trigger.routingKey,
            bodyOf(trigger.body),
            {
              headers: { ...trigger.headers, ...headers },
              messageId,
              mandatory: true,
              contentType: 'application/json',
            },
            (error) =>
              error ? reject(error instanceof Error ? error : new Error('RabbitMQ refused the message')) : resolve(),
          );
        }),
        timeoutMs,
        'RabbitMQ confirming the message',
      );
      // A returned message arrives before its confirmation.
      if (this._returned.delete(messageId)) {
        return failed(
          `no queue is bound to exchange "${trigger.exchange}" with routing key "${trigger.routingKey}": the message was returned`,
        );
      }
      return { delivered: true, messageId };
    } catch (error) {
      return failed(`publish to RabbitMQ: ${(error as Error).message}`);
    }
  }

  /** Publishes the message that starts a run on a NATS subject, and flushes it. Never throws. */
  async fireNats(trigger: NatsTrigger, headers: Record<string, string>, timeoutMs: number): Promise<TriggerResult> {
    try {
      const connection = await within(this._natsConnection(trigger.servers), timeoutMs, 'connecting to NATS');
      const nats = load('nats') as { headers(): { set(key: string, value: string): void } };
      const sent = nats.headers();
      for (const [key, value] of Object.entries({ ...trigger.headers, ...headers })) sent.set(key, value);
      connection.publish(trigger.subject, bodyOf(trigger.body), { headers: sent });
      await within(connection.flush(), timeoutMs, 'NATS acknowledging the publish');
      return { delivered: true };
    } catch (error) {
      return failed(`publish to NATS: ${(error as Error).message}`);
    }
  }

  async close(): Promise<void> {
    const amqp = [...this._amqp.values()];
    const nats = [...this._nats.values()];
    this._amqp.clear();
    this._nats.clear();
    await Promise.all([
      ...amqp.map((opened) => opened.then(({ connection }) => connection.close()).catch(() => undefined)),
      ...nats.map((opened) => opened.then((connection) => connection.close()).catch(() => undefined)),
    ]);
  }
}

/** Publishes the message that starts a run to RabbitMQ and waits for the broker's confirmation. */
export const rabbitmqTrigger = defineTriggerPlugin({
  type: 'trigger',
  kind: 'rabbitmq',
  description: 'a message published to RabbitMQ (confirmed, mandatory)',
  options: rabbitmqTriggerOptions,
  open: () => new BrokerClients(),
  fire: (run, carrier, options, clients) => clients.fireRabbitmq(options, carrier.messageFields(), run.timeoutMs),
  close: (clients) => clients.close(),
});

/** Publishes the message that starts a run on a NATS subject. */
export const natsTrigger = defineTriggerPlugin({
  type: 'trigger',
  kind: 'nats',
  description: 'a message published on a NATS subject',
  options: natsTriggerOptions,
  open: () => new BrokerClients(),
  fire: (run, carrier, options, clients) => clients.fireNats(options, carrier.messageFields(), run.timeoutMs),
  close: (clients) => clients.close(),
});
