// The `deposited` events over RabbitMQ (when the launcher found one): storage publishes to a queue,
// the notifier consumes it. Plain amqplib, as any service would use it: the hoptrace drop-in
// traces the hop by itself (no helper call here, unlike the Redis Stream path).
import amqp from 'amqplib';
import { EVENTS_MAX_LEN } from './key-space.js';

/**
 * Bounded like everything else: at most EVENTS_MAX_LEN messages wait (the oldest are dropped), and
 * a queue nobody uses for 10 minutes is deleted by RabbitMQ itself.
 */
const QUEUE_OPTIONS = { durable: false, arguments: { 'x-max-length': EVENTS_MAX_LEN, 'x-expires': 600_000 } };

/** A channel with the events queue declared; the connection closes with `close()`. */
export async function openEventsQueue(url, queue, logger) {
  const connection = await amqp.connect(url);
  connection.on('error', (error) => logger.error('rabbitmq connection', { message: error.message }));
  const channel = await connection.createChannel();
  await channel.assertQueue(queue, QUEUE_OPTIONS);
  return {
    channel,
    close: () => connection.close().catch(() => undefined),
  };
}
