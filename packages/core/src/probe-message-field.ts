import { TRACE_ID_PATTERN } from './patterns';

/**
 * Longest `hoptrace-probe` message field read: a trace id, a colon and a token of at most 256
 * characters fit well within it. Anything longer is ordinary traffic, not parsed.
 */
export const MAX_PROBE_MESSAGE_FIELD_LENGTH = 300;

/** What a `hoptrace-probe` message field carries: the trace id the run started under, and its token. */
export interface ProbeMessageField {
  traceId: string;
  token: string;
}

/** The value of the `hoptrace-probe` message field (`PROBE_MESSAGE_FIELD`): `<traceId>:<token>`. */
export function formatProbeMessageField(traceId: string, token: string): string {
  return `${traceId}:${token}`;
}

/**
 * Reads a `hoptrace-probe` message field: the trace id is what comes before the first colon and
 * must be a W3C trace id, the token is the rest (not checked here: verify it against the trace
 * id). Never throws: anything else (missing, not a string, longer than 300 characters, no colon,
 * a bad trace id) gives undefined, i.e. ordinary traffic.
 */
export function parseProbeMessageField(value: unknown): ProbeMessageField | undefined {
  if (typeof value !== 'string' || value.length > MAX_PROBE_MESSAGE_FIELD_LENGTH) return undefined;
  const colon = value.indexOf(':');
  if (colon < 0) return undefined;
  const traceId = value.slice(0, colon);
  if (!TRACE_ID_PATTERN.test(traceId)) return undefined;
  return { traceId, token: value.slice(colon + 1) };
}
