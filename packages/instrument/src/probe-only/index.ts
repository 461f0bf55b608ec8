import type { Tracer } from '@opentelemetry/api';
import { ClientExits } from './client-exits';
import { FastifyHops } from './fastify-hops';
import { ServerHops } from './server-hops';

export { ExpressErrorInstrumentation } from './express-errors';

/** Running probe-only tracing. */
export interface ProbeOnlyTracing {
  /** Incoming requests offered to the token check so far. */
  readonly candidates: number;
  stop(): void;
}

/**
 * Probe-only tracing: probe hops of incoming HTTP requests, and their outgoing http/https and
 * fetch calls, from Node's diagnostics channels, with spans from `tracer` (whose sampler records
 * probes only). Fastify's route and handler errors come from its own channel, read while a probe
 * hop is in flight.
 */
export function startProbeOnlyTracing(tracer: Tracer): ProbeOnlyTracing {
  const fastify = new FastifyHops();
  const server = new ServerHops(tracer, fastify);
  const client = new ClientExits(tracer);
  server.start();
  client.start();
  return {
    get candidates() {
      return server.candidates;
    },
    stop() {
      server.stop();
      client.stop();
      fastify.stop();
    },
  };
}
