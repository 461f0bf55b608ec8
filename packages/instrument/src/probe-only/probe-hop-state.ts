import type { Exception, Span } from '@opentelemetry/api';

/** Where a probe request keeps its hop: on the request object, under a symbol. */
export const PROBE_HOP = Symbol.for('@hoptrace/instrument probe hop');

/** The hop of one probe request, while it runs. */
export interface ProbeHopState {
  span: Span;
  /**
   * The first error the app passed on (Express `next(err)` or a throw; a Fastify handler's throw
   * or rejection), recorded when the hop ends.
   */
  error?: Exception;
  /**
   * The route template a framework reported on its own channel (Fastify's handler channel):
   * used when the request holds none that Express left (`routeOf`).
   */
  route?: string;
  ended: boolean;
}

/** What `ServerHops` tells about probe hops, so that per-hop helpers work only while one runs. */
export interface HopListener {
  /** A probe hop began (its request is about to reach the app). */
  hopStarted(): void;
  /** That hop ended (answer sent, or connection closed). Called once per `hopStarted`. */
  hopEnded(): void;
}

/** The probe hop of a request object, if it is a probe's. */
export function probeHopOf(request: unknown): ProbeHopState | undefined {
  if (typeof request !== 'object' || request === null) return undefined;
  return (request as { [PROBE_HOP]?: ProbeHopState })[PROBE_HOP];
}
