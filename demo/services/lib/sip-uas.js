// A minimal SIP user agent server over UDP (RFC 3261): the transaction and dialog bookkeeping of
// the demo's call edge. INVITE gets 100 Trying at once, then the final answer the service's
// `onInvite` decides (a 2xx with a To tag, a Contact and an SDP answer); finals are retransmitted
// until the ACK comes (§13.3.1.4, §17.2.1), a retransmitted request gets the last answer again.
// ACK is absorbed, BYE ends the dialog, CANCEL stops an INVITE still in progress, OPTIONS gets
// 200, any other method 501. Datagrams that are not SIP are counted and dropped, never answered.
import { randomBytes } from 'node:crypto';
import { ExpiringMap } from './expiring-map.js';
import {
  MANDATORY_HEADERS,
  REASONS,
  branchOf,
  buildResponse,
  firstHeader,
  headerSpelling,
  minimalSdp,
  parseCSeq,
  parseSipMessage,
  tagOf,
} from './sip-message.js';

/** RFC 3261 timers: T1 (round-trip estimate), T2 (longest retransmit interval), 64·T1 (give up). */
export const T1_MS = 500;
const T2_MS = 4000;
const TRANSACTION_TTL_MS = 64 * T1_MS;
/** Calls last minutes at most in the demo; a dialog nobody hung up is forgotten after that. */
const DIALOG_TTL_MS = 10 * 60_000;
const MAX_TRANSACTIONS = 2000;
const MAX_DIALOGS = 1000;

const ALLOW = 'INVITE, ACK, BYE, CANCEL, OPTIONS';
const KNOWN_METHODS = new Set([...ALLOW.split(', '), 'REGISTER', 'INFO', 'MESSAGE', 'NOTIFY', 'SUBSCRIBE', 'UPDATE']);
/** The audio port the SDP answer names. The demo sends and reads no media: nothing listens there. */
const MEDIA_PORT = 49170;

/** `onInvite` resolves with `{ status }`, or throws this for a failure answer (5xx) with its reason. */
export class SipFailure extends Error {
  constructor(status, message) {
    super(message ?? `${status} ${REASONS[status] ?? ''}`.trim());
    this.name = 'SipFailure';
    this.status = status;
  }
}

/** The UAS on one bound UDP socket. `onInvite(request, { ringing })` → `{ status }` (2xx answers the call). */
export class SipUserAgentServer {
  #socket;
  #onInvite;
  #logger;
  #closing = false;
  #closed = false;
  #inFlight = new Set();
  #sweeper;
  /** INVITE server transactions by Call-ID and CSeq number: ACK and CANCEL find them the same way. */
  #invites = new ExpiringMap({
    maxEntries: MAX_TRANSACTIONS,
    ttlMs: TRANSACTION_TTL_MS,
    onEvict: (transaction) => clearTimeout(transaction.timer),
  });
  /** Last answer to each non-INVITE request, so a retransmission gets the same one. */
  #answered = new ExpiringMap({ maxEntries: MAX_TRANSACTIONS, ttlMs: TRANSACTION_TTL_MS });
  /** Confirmed or early dialogs by Call-ID and our tag. */
  #dialogs = new ExpiringMap({ maxEntries: MAX_DIALOGS, ttlMs: DIALOG_TTL_MS });

  /** Counters for `GET /sip/stats`. */
  stats = { datagrams: 0, garbage: 0, keepalives: 0, malformed: 0, retransmissions: 0, unacknowledged: 0 };
  /** Requests received by method, final answers sent by status. */
  requests = {};
  answers = {};

  constructor({ socket, onInvite, logger }) {
    this.#socket = socket;
    this.#onInvite = onInvite;
    this.#logger = logger;
    socket.on('message', (datagram, peer) => {
      try {
        this.#receive(datagram, peer);
      } catch (error) {
        // A bug on one datagram must not take the service down.
        this.stats.garbage++;
        logger.error('sip', { message: error.message });
      }
    });
    socket.on('error', (error) => logger.error('sip socket', { message: error.message }));
    this.#sweeper = setInterval(() => {
      this.#invites.sweep();
      this.#answered.sweep();
      this.#dialogs.sweep();
    }, 5000).unref();
  }

  /** Live calls and transactions, for the stats. */
  get sizes() {
    return { dialogs: this.#dialogs.size, transactions: this.#invites.size + this.#answered.size };
  }

  /** Stops taking calls (new INVITEs get 503), lets those in progress answer (within `graceMs`), closes the socket. */
  async close(graceMs = 3000) {
    if (this.#closing) return;
    this.#closing = true;
    clearInterval(this.#sweeper);
    let timer;
    const grace = new Promise((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.allSettled([...this.#inFlight]), grace]);
    clearTimeout(timer);
    for (const transaction of this.#invites.values()) clearTimeout(transaction.timer);
    this.#closed = true;
    await new Promise((resolve) => this.#socket.close(resolve));
  }

  #send(buffer, peer) {
    if (this.#closed) return;
    const failed = (error) => this.#logger.error('sip send', { message: error.message });
    try {
      this.#socket.send(buffer, peer.port, peer.address, (error) => error && failed(error));
    } catch (error) {
      // A source we cannot answer (port 0, say): it also runs from retransmission timers, where a
      // throw would take the service down.
      failed(error);
    }
  }

  #receive(datagram, peer) {
    this.stats.datagrams++;
    const message = parseSipMessage(datagram);
    if (message?.type === 'keepalive') {
      this.stats.keepalives++;
      return;
    }
    // Not SIP, or a response (a UAS sends none of its own requests): dropped without an answer.
    if (message?.type !== 'request') {
      this.stats.garbage++;
      return;
    }
    const { method } = message;
    // By method for the ones we know; a peer inventing methods must not grow the counters.
    const counted = KNOWN_METHODS.has(method) ? method : 'other';
    this.requests[counted] = (this.requests[counted] ?? 0) + 1;
    const cseq = parseCSeq(firstHeader(message, 'cseq'));
    const missing = MANDATORY_HEADERS.filter((name) => firstHeader(message, name) === undefined);
    if (missing.length > 0 || !cseq || cseq.method !== method) {
      this.stats.malformed++;
      if (method !== 'ACK' && firstHeader(message, 'via') !== undefined) {
        const problem = missing.length > 0 ? `no ${missing.map(headerSpelling).join(', ')}` : 'bad CSeq';
        this.#respond(message, peer, 400, { reason: `Bad Request (${problem})` });
      }
      return;
    }
    const request = { message, peer, callId: firstHeader(message, 'call-id'), cseq };
    if (method === 'INVITE') this.#invite(request);
    else if (method === 'ACK') this.#ack(request);
    else this.#nonInvite(request);
  }

  /** Sends a response and returns it (callers keep the last one, for retransmissions). */
  #respond(message, peer, status, { reason, toTag, headers = [], body } = {}) {
    const buffer = buildResponse(message, status, reason ?? REASONS[status] ?? 'Unknown', {
      toTag,
      address: peer.address,
      port: peer.port,
      headers,
      body,
    });
    if (status >= 200) this.answers[status] = (this.answers[status] ?? 0) + 1;
    this.#send(buffer, peer);
    return buffer;
  }

  #invite({ message, peer, callId, cseq }) {
    const key = `${callId}\n${cseq.number}`;
    const existing = this.#invites.get(key);
    if (existing) {
      // A retransmission: the last answer again, the flow is not started twice.
      this.stats.retransmissions++;
      if (existing.last) this.#send(existing.last, peer);
      return;
    }
    const toTag = tagOf(firstHeader(message, 'to'));
    if (toTag !== undefined) {
      // A re-INVITE: the session is refreshed as it is; one we do not know gets 481.
      const dialog = this.#dialogs.get(`${callId}\n${toTag}`);
      if (!dialog) return void this.#respond(message, peer, 481);
      return void this.#respond(message, peer, 200, this.#answerParts(toTag));
    }
    const transaction = {
      key,
      callId,
      message,
      peer,
      tag: randomBytes(6).toString('hex'),
      last: undefined,
      final: false,
    };
    this.#invites.set(key, transaction);
    if (this.#closing) return void this.#final(transaction, 503);
    transaction.last = this.#respond(message, peer, 100);
    const ringing = () => {
      if (!transaction.final) transaction.last = this.#respond(message, peer, 180, { toTag: transaction.tag });
    };
    const answered = Promise.resolve()
      .then(() => this.#onInvite(message, { ringing }))
      .then(
        (result) => result?.status ?? 200,
        (error) => {
          if (error instanceof SipFailure) return error.status;
          this.#logger.error('invite', { message: error.message });
          return 500;
        },
      )
      .then((status) => this.#final(transaction, status))
      .catch((error) => this.#logger.error('invite answer', { message: error.message }));
    this.#inFlight.add(answered);
    void answered.finally(() => this.#inFlight.delete(answered));
  }

  #answerParts(tag) {
    const { address, port } = this.#socket.address();
    const host = address.includes(':') ? `[${address}]` : address;
    return {
      toTag: tag,
      headers: [
        ['contact', `<sip:call-edge@${host}:${port}>`],
        ['allow', ALLOW],
        ['content-type', 'application/sdp'],
      ],
      body: minimalSdp(address, MEDIA_PORT),
    };
  }

  /** The final answer of an INVITE, retransmitted every T1, 2·T1, ... (at most T2) until the ACK. */
  #final(transaction, status) {
    // CANCELled meanwhile (the 487 already went out), or shut down.
    if (transaction.final || this.#closed) return;
    transaction.final = true;
    const { message, peer, tag } = transaction;
    const success = status >= 200 && status < 300;
    if (success) this.#dialogs.set(`${transaction.callId}\n${tag}`, { tag });
    // Kept (again) for 64·T1 from now, however long the flow took: the ACK must find it.
    this.#invites.set(transaction.key, transaction);
    transaction.last = this.#respond(message, peer, status, success ? this.#answerParts(tag) : { toTag: tag });
    let intervalMs = T1_MS;
    let elapsedMs = 0;
    const retransmit = () => {
      elapsedMs += intervalMs;
      if (transaction.acked) return;
      if (elapsedMs >= TRANSACTION_TTL_MS || this.#closing) {
        this.stats.unacknowledged++;
        return;
      }
      this.#send(transaction.last, peer);
      intervalMs = Math.min(intervalMs * 2, T2_MS);
      transaction.timer = setTimeout(retransmit, intervalMs).unref();
    };
    transaction.timer = setTimeout(retransmit, intervalMs).unref();
  }

  #ack({ callId, cseq }) {
    // The ACK of a 2xx is a transaction of its own and of a non-2xx part of the INVITE's: both
    // carry the INVITE's Call-ID and CSeq number. Never answered.
    const transaction = this.#invites.get(`${callId}\n${cseq.number}`);
    if (!transaction || !transaction.final) return;
    transaction.acked = true;
    clearTimeout(transaction.timer);
  }

  #nonInvite({ message, peer, callId, cseq }) {
    const key = `${callId}\n${cseq.number}\n${message.method}\n${branchOf(firstHeader(message, 'via')) ?? ''}`;
    const previous = this.#answered.get(key);
    if (previous) {
      this.stats.retransmissions++;
      return void this.#send(previous, peer);
    }
    const toTag = tagOf(firstHeader(message, 'to'));
    let answer;
    if (message.method === 'BYE') {
      const dialogKey = `${callId}\n${toTag}`;
      answer = this.#dialogs.get(dialogKey) ? this.#respond(message, peer, 200) : this.#respond(message, peer, 481);
      this.#dialogs.delete(dialogKey);
    } else if (message.method === 'CANCEL') {
      const transaction = this.#invites.get(`${callId}\n${cseq.number}`);
      if (!transaction) {
        answer = this.#respond(message, peer, 481);
      } else {
        answer = this.#respond(message, peer, 200, { toTag: transaction.tag });
        // Still in progress: the INVITE ends with 487 (the flow it started runs on; its answer is dropped).
        if (!transaction.final) this.#final(transaction, 487);
      }
    } else if (message.method === 'OPTIONS') {
      answer = this.#respond(message, peer, 200, {
        toTag: toTag ? undefined : randomBytes(6).toString('hex'),
        headers: [
          ['allow', ALLOW],
          ['accept', 'application/sdp'],
        ],
      });
    } else {
      answer = this.#respond(message, peer, 501, { headers: [['allow', ALLOW]] });
    }
    this.#answered.set(key, answer);
  }
}
