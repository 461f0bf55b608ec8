// SIP messages as text (RFC 3261 §7): parsing a datagram, building requests and responses, and
// reading the few header parts the demo needs (URI user, tag, Via branch). Not a SIP stack: just
// enough for the call edge (a user agent server) and the sip-call trigger (a user agent client).
// Pure functions, no I/O; anything that does not parse as SIP gives undefined, never a throw.

/** RFC 3261 §7.3.3 compact header names, as their full (lower-case) names. */
const COMPACT_NAMES = {
  v: 'via',
  f: 'from',
  t: 'to',
  i: 'call-id',
  m: 'contact',
  l: 'content-length',
  c: 'content-type',
  k: 'supported',
  s: 'subject',
  e: 'content-encoding',
};

/**
 * How a header is written on the wire, for the ones whose spelling is not just capitalised. The
 * W3C trace context headers keep the spelling they have in HTTP.
 */
const SPELLING = {
  'call-id': 'Call-ID',
  cseq: 'CSeq',
  'www-authenticate': 'WWW-Authenticate',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  baggage: 'baggage',
};

/** Bounds on what is parsed at all: a datagram with more is not one of ours. */
const MAX_HEADER_LINES = 200;
const TOKEN = /^[A-Za-z0-9.!%*_+`'~-]+$/;
const REQUEST_LINE = /^([A-Za-z0-9.!%*_+`'~-]+) (\S+) SIP\/2\.0$/;
const STATUS_LINE = /^SIP\/2\.0 ([1-6]\d\d) ?(.*)$/;

/** Headers every request must have (RFC 3261 §8.1.1); a request without one gets 400. */
export const MANDATORY_HEADERS = ['via', 'from', 'to', 'call-id', 'cseq'];

/** `Call-ID` for `call-id`, `CSeq` for `cseq`, `Content-Length` for `content-length`. */
export function headerSpelling(name) {
  return SPELLING[name] ?? name.replace(/(^|-)([a-z])/g, (_, dash, letter) => dash + letter.toUpperCase());
}

/**
 * Parses one datagram. Returns `{ type: 'request', method, uri, headers, body }` or
 * `{ type: 'response', status, reason, headers, body }`, where `headers` is a list of
 * `[lower-case full name, value]` in wire order and `body` a Buffer; `{ type: 'keepalive' }` for
 * the CRLF pings of RFC 5626; undefined for anything else (not SIP, malformed, truncated).
 */
export function parseSipMessage(datagram) {
  const buffer = Buffer.isBuffer(datagram) ? datagram : Buffer.from(datagram);
  let start = 0;
  while (start < buffer.length && (buffer[start] === 0x0d || buffer[start] === 0x0a)) start++;
  if (start === buffer.length) return buffer.length > 0 ? { type: 'keepalive' } : undefined;
  const end = buffer.indexOf('\r\n\r\n', start, 'latin1');
  if (end < 0) return undefined;
  const lines = buffer.toString('utf8', start, end).split('\r\n');
  if (lines.length > MAX_HEADER_LINES) return undefined;
  const startLine = lines.shift();
  const request = REQUEST_LINE.exec(startLine);
  const response = request ? undefined : STATUS_LINE.exec(startLine);
  if (!request && !response) return undefined;
  const headers = [];
  for (const line of lines) {
    if (/^[ \t]/.test(line)) {
      // A folded line continues the header before it (RFC 3261 §7.3.1).
      if (headers.length === 0) return undefined;
      headers[headers.length - 1][1] += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    const raw = line.slice(0, colon).trim();
    if (!TOKEN.test(raw)) return undefined;
    const lower = raw.toLowerCase();
    headers.push([COMPACT_NAMES[lower] ?? lower, line.slice(colon + 1).trim()]);
  }
  let body = buffer.subarray(end + 4);
  const length = firstHeader({ headers }, 'content-length');
  if (length !== undefined) {
    if (!/^\d{1,6}$/.test(length) || Number(length) > body.length) return undefined;
    body = body.subarray(0, Number(length));
  }
  return request
    ? { type: 'request', method: request[1], uri: request[2], headers, body }
    : { type: 'response', status: Number(response[1]), reason: response[2], headers, body };
}

/** The first value of a header, or undefined. */
export function firstHeader(message, name) {
  return message.headers.find(([key]) => key === name)?.[1];
}

/** Every value of a header, in order; values written comma-separated on one line are split (Via, Contact). */
export function allHeaders(message, name) {
  return message.headers
    .filter(([key]) => key === name)
    .flatMap(([, value]) => value.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/).map((part) => part.trim()))
    .filter(Boolean);
}

/** The URI inside a name-addr (`"Ada" <sip:4155550100@host>;tag=1`) or an addr-spec (`sip:x@host;tag=1`). */
export function uriOf(value) {
  if (typeof value !== 'string') return undefined;
  const angle = /<([^>]*)>/.exec(value);
  if (angle) return angle[1].trim();
  return value.split(';')[0].trim() || undefined;
}

/**
 * The user part of a SIP or tel URI as a phone number: `sip:+1 415-555-0100@host` → `14155550100`,
 * `tel:4155550100` → `4155550100`. Undefined when there is none.
 */
export function phoneNumberOf(value) {
  const uri = uriOf(value);
  const match = uri && (/^sips?:([^@;?]+)@/i.exec(uri) ?? /^tel:([^;?]+)/i.exec(uri));
  if (!match) return undefined;
  let user;
  try {
    user = decodeURIComponent(match[1]);
  } catch {
    return undefined;
  }
  const digits = user.replace(/^\+/, '').replace(/[\s().-]/g, '');
  return /^\d+$/.test(digits) ? digits : undefined;
}

/** The `tag` parameter of a From or To value (after the URI), or undefined. */
export function tagOf(value) {
  if (typeof value !== 'string') return undefined;
  const params = value.includes('>') ? value.slice(value.lastIndexOf('>') + 1) : value;
  return /;\s*tag=([^;\s,]+)/i.exec(params)?.[1];
}

/** The `branch` parameter of a Via value, or undefined. */
export function branchOf(via) {
  return typeof via === 'string' ? /;\s*branch=([^;\s,]+)/i.exec(via)?.[1] : undefined;
}

/** `{ number, method }` of a CSeq value (`1 INVITE`), or undefined when malformed. */
export function parseCSeq(value) {
  const match = typeof value === 'string' ? /^(\d{1,10})\s+(\S+)$/.exec(value) : null;
  return match ? { number: Number(match[1]), method: match[2] } : undefined;
}

/**
 * The top Via as the server must echo it (RFC 3261 §18.2.1, RFC 3581): `received=` when the
 * packet came from another address than the Via says, and the source port in an empty `rport`.
 */
export function stampVia(via, address, port) {
  const sentBy = /^SIP\/2\.0\/\S+\s+([^;:\s]+|\[[^\]]+\])/i.exec(via)?.[1];
  let stamped = via;
  if (/;\s*rport(?=;|$)/i.test(stamped)) stamped = stamped.replace(/;\s*rport(?=;|$)/i, `;rport=${port}`);
  if (sentBy !== undefined && sentBy !== address && !/;\s*received=/i.test(stamped)) {
    stamped += `;received=${address}`;
  }
  return stamped;
}

function serialize(startLine, headers, body) {
  const content = body === undefined ? Buffer.alloc(0) : Buffer.from(body);
  const lines = [startLine];
  for (const [name, value] of headers) lines.push(`${headerSpelling(name)}: ${value}`);
  lines.push(`Content-Length: ${content.length}`, '', '');
  return Buffer.concat([Buffer.from(lines.join('\r\n'), 'utf8'), content]);
}

/**
 * A response to `request` (RFC 3261 §8.2.6.2): every Via in order (the top one stamped with the
 * source `address`/`port` when given), From, To (with `toTag` added when it has no tag yet),
 * Call-ID and CSeq copied, then `headers` (`[[name, value], ...]`) and the body.
 */
export function buildResponse(request, status, reason, { toTag, address, port, headers = [], body } = {}) {
  const vias = request.headers.filter(([name]) => name === 'via').map(([, value]) => value);
  if (vias.length > 0 && address !== undefined) vias[0] = stampVia(vias[0], address, port);
  const to = firstHeader(request, 'to');
  const copied = [
    ...vias.map((value) => ['via', value]),
    ['from', firstHeader(request, 'from')],
    ['to', to !== undefined && toTag && !tagOf(to) ? `${to};tag=${toTag}` : to],
    ['call-id', firstHeader(request, 'call-id')],
    ['cseq', firstHeader(request, 'cseq')],
    // A request missing one of them (answered 400) gets an answer without it.
  ].filter(([, value]) => value !== undefined);
  return serialize(`SIP/2.0 ${status} ${reason}`, [...copied, ...headers], body);
}

/** A request: `headers` is `[[name, value], ...]` in wire order; Content-Length is added. */
export function buildRequest(method, uri, headers, body) {
  return serialize(`${method} ${uri} SIP/2.0`, headers, body);
}

/** Reason phrases of the responses the demo sends. */
export const REASONS = {
  100: 'Trying',
  180: 'Ringing',
  200: 'OK',
  400: 'Bad Request',
  404: 'Not Found',
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  487: 'Request Terminated',
  500: 'Server Internal Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
};

/** A minimal SDP offer or answer (RFC 4566): one PCMU audio stream at `address:port`. */
export function minimalSdp(address, port, sessionId = Date.now()) {
  const ip = address.includes(':') ? 'IP6' : 'IP4';
  return [
    'v=0',
    `o=hoptrace ${sessionId} ${sessionId} IN ${ip} ${address}`,
    's=hoptrace voicemail demo',
    `c=IN ${ip} ${address}`,
    't=0 0',
    `m=audio ${port} RTP/AVP 0`,
    'a=rtpmap:0 PCMU/8000',
    'a=sendrecv',
    '',
  ].join('\r\n');
}
