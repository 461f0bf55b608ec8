import type { Exception, Span } from '@opentelemetry/api';

/** Where a probe request keeps its hop: on the request object, under a symbol. */
export const PROBE_HOP = Symbol.for('@hoptrace/instrument probe hop');

/** The hop of one probe request, while it runs. */
export interface ProbeHopState {
  span: Span;
  /** The first error the app passed on (Express `next(err)` or a throw), recorded when the hop ends. */
  error?: Exception;
  ended: boolean;
}

/** The probe hop of a request object, if it is a probe's. */
export function probeHopOf(request: unknown): ProbeHopState | undefined {
  if (typeof request !== 'object' || request === null) return undefined;
  return (request as { [PROBE_HOP]?: ProbeHopState })[PROBE_HOP];
}
