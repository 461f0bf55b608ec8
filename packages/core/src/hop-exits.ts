import { MAX_LABEL_LENGTH, UNREACHED_CODE_PATTERN } from './hop-record';

/** One outgoing call or message of a hop, as its hop record keeps it. */
export interface HopExit {
  /** The CLIENT or PRODUCER span id: a later hop's `parentSpanId` is one of these. */
  spanId: string;
  /** When the call started, microseconds after the hop started (on the hop's clock). */
  atUs: number;
  /** Where the call went (`host:port`), when known. */
  peer?: string;
  /** Set when the call reached no process: the error code (`ECONNREFUSED`, ...). */
  unreached?: string;
}

/**
 * Error codes of a call that never reached a process to answer it: refused, reset before any
 * answer, no such host, no route, connect timeout (Node's and undici's codes). A call that failed
 * this way is what tells the Oamserver, with no history at all, that the service it was meant for
 * is down rather than the caller broken.
 */
export const UNREACHED_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

const EXIT = /^([0-9a-f]{16}):(\d{1,15})(?::([^|]{1,256}))?(?:\|([A-Z][A-Z0-9_]{0,39}))?$/;

/**
 * The string form of an exit in the `hoptrace.hop.exits` span attribute:
 * `<spanId>:<atUs>[:<host:port>][|<code>]` (a host never holds `|`).
 */
export function encodeHopExit(exit: HopExit): string {
  const peer = exit.peer && !exit.peer.includes('|') ? `:${exit.peer.slice(0, MAX_LABEL_LENGTH)}` : '';
  const code = exit.unreached && UNREACHED_CODE_PATTERN.test(exit.unreached) ? `|${exit.unreached}` : '';
  return `${exit.spanId}:${exit.atUs}${peer}${code}`;
}

/** Reads an exit back from its string form; undefined when it is not one. */
export function parseHopExit(text: unknown): HopExit | undefined {
  const match = typeof text === 'string' ? EXIT.exec(text) : null;
  if (!match) return undefined;
  return {
    spanId: match[1]!,
    atUs: Number(match[2]),
    ...(match[3] ? { peer: match[3] } : {}),
    ...(match[4] ? { unreached: match[4] } : {}),
  };
}
