// Reads a service's settings from its environment and command line. Only the service entry
// files call it (with process.env and process.argv); everything else receives the result.
import { defaultPort, defaultUrl } from './topology.js';
import { faultsFromEnv } from './faults.js';

/** The `service.instance.id` the drop-in reports, read from OTEL_RESOURCE_ATTRIBUTES. */
function instanceIdFrom(env, service) {
  for (const pair of (env.OTEL_RESOURCE_ATTRIBUTES ?? '').split(',')) {
    const [key, value] = pair.split('=');
    if (key?.trim() === 'service.instance.id' && value) return decodeURIComponent(value.trim());
  }
  return `${service}-pid${process.pid}`;
}

function portFrom(env, service, problems) {
  if (env.PORT === undefined || env.PORT === '') return defaultPort(service);
  const port = Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) problems.push(`PORT: "${env.PORT}" is not a port number`);
  return port;
}

function positiveMs(env, name, fallback, problems) {
  if (env[name] === undefined || env[name] === '') return fallback;
  const value = Number(env[name]);
  if (!Number.isFinite(value) || value <= 0) problems.push(`${name}: "${env[name]}" is not a positive number of ms`);
  return value;
}

/** A comma-separated list of base URLs (`MAILBOX_URLS=http://127.0.0.1:7002,http://127.0.0.1:7012`). */
function urlList(env, variable, service, problems) {
  const raw = env[variable];
  if (raw === undefined || raw.trim() === '') return [defaultUrl(service)];
  const urls = raw
    .split(',')
    .map((url) => url.trim().replace(/\/+$/, ''))
    .filter(Boolean);
  for (const url of urls) if (!URL.canParse(url)) problems.push(`${variable}: "${url}" is not a URL`);
  return urls;
}

/**
 * Settings of one service. `downstreams` maps the environment variables it needs (e.g.
 * `MAILBOX_URLS`) to the service they point at; unset ones default to the launcher's
 * single-instance ports. Exits with every problem listed when a setting is unusable: the
 * service owns its process, and starting half-configured would only hide the mistake.
 */
export function serviceConfig(service, { env, argv, downstreams = {}, supportsDropContext = false }) {
  const problems = [];
  const faults = faultsFromEnv(env, { supportsDropContext });
  problems.push(...faults.problems);
  const config = {
    service,
    instance: instanceIdFrom(env, service),
    port: portFrom(env, service, problems),
    // Loopback by default: the admin endpoints refuse remote callers anyway, but a demo should
    // not be reachable from the network unless someone asks for it.
    host: env.HOST || '127.0.0.1',
    redisUrl: env.REDIS_URL || 'redis://127.0.0.1:6379',
    /** Prefix of the platform's own Redis keys (not hoptrace's): real data under it, synthetic under `<prefix>synthetic:`. */
    keyPrefix: env.VM_KEY_PREFIX || 'vm:',
    /** How storage's `deposited` events reach the notifier: `rabbitmq` (a queue) or `redis` (a Redis Stream). */
    events: env.DEMO_EVENTS === 'rabbitmq' ? 'rabbitmq' : 'redis',
    amqpUrl: env.AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672',
    verbose: argv.includes('--verbose') || env.DEMO_VERBOSE === '1',
    downstreamTimeoutMs: positiveMs(env, 'DOWNSTREAM_TIMEOUT_MS', 5000, problems),
    downstreams: Object.fromEntries(
      Object.entries(downstreams).map(([variable, target]) => [
        target,
        { variable, urls: urlList(env, variable, target, problems) },
      ]),
    ),
    faults: faults.faults,
    /** Whether the dropContext fault applies (storage: the only producer of messages). */
    supportsDropContext,
  };
  if (problems.length > 0) {
    process.stderr.write(`${service}: cannot start:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
    process.exit(1);
  }
  return config;
}
