// The SIP user agent client under the sip-call trigger (sip-call.mjs): one UDP socket per address
// family shared by every call, answers routed to their call by Call-ID, RFC 3261 retransmissions,
// and the requests of one call (INVITE, ACK, BYE, CANCEL) built from its parts.
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { buildRequest, firstHeader, parseCSeq, parseSipMessage, uriOf } from '../services/lib/sip-message.js';

/** RFC 3261 T1: timer A (INVITE) and timer E (BYE) start there and double. */
export const T1_MS = 500;
/** RFC 3261 T2: the longest interval between retransmissions of a non-INVITE request. */
export const T2_MS = 4000;
/** Answers kept per call: a peer that keeps answering one call is not remembered past that. */
const MAX_ANSWERS_KEPT = 50;

/** Random hex: tags, branches, Call-IDs. */
function hex(bytes) {
  return randomBytes(bytes).toString('hex');
}

/** `{ host, port }` of `host:port` or `[v6]:port`. */
export function splitTarget(target) {
  const colon = target.lastIndexOf(':');
  return { host: target.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(target.slice(colon + 1)) };
}

/** The state `open` returns: one socket per address family, and the calls in progress by Call-ID. */
export function openState(log) {
  return { log, sockets: new Map(), calls: new Map(), closed: false };
}

/** The socket of `family` (4 or 6), created and bound to an ephemeral port on first use. */
export async function socketFor(state, family) {
  let socket = state.sockets.get(family);
  if (!socket) {
    socket = new Promise((resolve, reject) => {
      const created = dgram.createSocket(family === 6 ? 'udp6' : 'udp4');
      created.once('error', reject);
      created.bind(0, () => {
        created.off('error', reject);
        created.on('error', (error) => state.log.warn(`sip-call socket: ${error.message}`));
        created.on('message', (datagram) => onDatagram(state, datagram));
        resolve(created);
      });
    });
    socket.catch(() => state.sockets.delete(family));
    state.sockets.set(family, socket);
  }
  return socket;
}

/** Responses go to the call they belong to; anything else (requests, garbage, strays) is dropped. */
function onDatagram(state, datagram) {
  try {
    const message = parseSipMessage(datagram);
    if (message?.type !== 'response') return;
    const call = state.calls.get(firstHeader(message, 'call-id'));
    const cseq = parseCSeq(firstHeader(message, 'cseq'));
    if (!call || !cseq || call.received.length >= MAX_ANSWERS_KEPT) return;
    message.cseq = cseq;
    call.received.push(message);
    if (cseq.method === 'INVITE' && message.status >= 200) call.onInviteFinal(message);
    for (const listener of [...call.listeners]) listener(message);
  } catch (error) {
    // This runs in the Oamserver's process: a bad datagram must never become an uncaught exception.
    state.log.warn(`sip-call: a response could not be handled: ${error.message}`);
  }
}

/** The first response `match` accepts (already received or to come), or undefined once `signal` aborts. */
export function awaitResponse(call, match, signal) {
  return new Promise((resolve) => {
    const found = call.received.find(match);
    if (found || signal.aborted) return resolve(found);
    const done = (value) => {
      call.listeners.delete(listener);
      signal.removeEventListener('abort', onAbort);
      resolve(value);
    };
    const listener = (response) => match(response) && done(response);
    const onAbort = () => done(undefined);
    call.listeners.add(listener);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Sends `buffer` every T1, 2·T1, ... (capped at `capMs`) until `stop()` says so; returns a canceller. */
export function retransmit(send, buffer, stop, capMs) {
  let intervalMs = T1_MS;
  let timer;
  const again = () => {
    if (stop()) return;
    send(buffer);
    intervalMs = Math.min(intervalMs * 2, capMs);
    timer = setTimeout(again, intervalMs).unref();
  };
  timer = setTimeout(again, intervalMs).unref();
  return () => clearTimeout(timer);
}

/** Everything one call needs to build its requests: addresses, tags, the INVITE's Via. */
export function dialogParts(opts, local, localPort, family) {
  const { host, port } = splitTarget(opts.target);
  const bracket = (address) => (family === 6 ? `[${address}]` : address);
  const localHost = bracket(local);
  const requestUri = `sip:${opts.to}@${bracket(host)}:${port}`;
  const from = `<sip:${opts.from}@${localHost}>;tag=${hex(6)}`;
  const callId = `${hex(12)}@hoptrace`;
  const newVia = () => `SIP/2.0/UDP ${localHost}:${localPort};branch=z9hG4bK${hex(10)};rport`;
  const inviteVia = newVia();
  /** The headers every request of the call starts with (RFC 3261 §8.1.1). */
  const common = (via, to, cseq) => [
    ['via', via],
    ['max-forwards', '70'],
    ['from', from],
    ['to', to],
    ['call-id', callId],
    ['cseq', cseq],
  ];
  return {
    host,
    port,
    callId,
    requestUri,
    contact: `<sip:hoptrace@${localHost}:${localPort}>`,
    diversion: opts.divertedFrom && `<sip:${opts.divertedFrom}@${bracket(host)}>;reason=no-answer;counter=1`,
    /** The ACK of a final answer: in the INVITE's transaction for a non-2xx (§17.1.1.3), a new one for a 2xx (§13.2.2.4). */
    ack: (final) =>
      final.status >= 300
        ? buildRequest('ACK', requestUri, common(inviteVia, firstHeader(final, 'to'), '1 ACK'))
        : buildRequest('ACK', remoteTarget(final, requestUri), common(newVia(), firstHeader(final, 'to'), '1 ACK')),
    bye: (final) =>
      buildRequest('BYE', remoteTarget(final, requestUri), common(newVia(), firstHeader(final, 'to'), '2 BYE')),
    cancel: () => buildRequest('CANCEL', requestUri, common(inviteVia, `<${requestUri}>`, '1 CANCEL')),
    inviteHeaders: () => common(inviteVia, `<${requestUri}>`, '1 INVITE'),
  };
}

/** Where in-dialog requests go: the Contact of the answer (RFC 3261 §12.1.2), else the Request-URI. */
function remoteTarget(final, requestUri) {
  return uriOf(firstHeader(final, 'contact')) ?? requestUri;
}

/** The local address the system would send from toward `host:port` (for Via and Contact). */
export async function localAddressToward(host, port, family) {
  const probe = dgram.createSocket(family === 6 ? 'udp6' : 'udp4');
  try {
    await new Promise((resolve, reject) => {
      probe.once('error', reject);
      probe.connect(port, host, resolve);
    });
    return probe.address().address;
  } finally {
    probe.close();
  }
}
