// Which message broker the demo's one queue hop (storage → notifier `deposited` events) goes
// through: RabbitMQ when one answers, else the Redis Stream every machine with Redis has.
import { createRequire } from 'node:module';

const DEFAULT_AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';
const CONNECT_TIMEOUT_MS = 2000;

/** The URL without its password, for the log. */
function redacted(url) {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unreadable AMQP_URL)';
  }
}

/**
 * `{ events: 'rabbitmq' | 'redis', amqpUrl, line }`: `DEMO_EVENTS` decides when set (`redis`, or
 * `rabbitmq`, which must answer); otherwise RabbitMQ is used when it answers at `AMQP_URL`
 * (default the local guest account), and the Redis Stream when it does not, saying so.
 */
export async function chooseEventsTransport(env) {
  const amqpUrl = env.AMQP_URL || DEFAULT_AMQP_URL;
  if (env.DEMO_EVENTS === 'redis') {
    return { events: 'redis', amqpUrl, line: 'events: Redis Stream (DEMO_EVENTS=redis)' };
  }
  const amqp = createRequire(import.meta.url)('amqplib');
  try {
    const connection = await amqp.connect(amqpUrl, { timeout: CONNECT_TIMEOUT_MS });
    await connection.close();
    return { events: 'rabbitmq', amqpUrl, line: `events: RabbitMQ at ${redacted(amqpUrl)} (storage → notifier)` };
  } catch (error) {
    if (env.DEMO_EVENTS === 'rabbitmq') {
      throw new Error(`DEMO_EVENTS=rabbitmq, but RabbitMQ does not answer at ${redacted(amqpUrl)}: ${error.message}`, {
        cause: error,
      });
    }
    return {
      events: 'redis',
      amqpUrl,
      line:
        `events: Redis Stream: RabbitMQ does not answer at ${redacted(amqpUrl)} (${error.message}); ` +
        'start one (or set AMQP_URL) for the RabbitMQ hop',
    };
  }
}
