// The `sip-call` trigger: a probe run that enters the platform as a phone call. A minimal SIP user
// agent client over UDP (RFC 3261): INVITE (the run's `traceparent` and `baggage` as SIP extension
// headers, a `Diversion:` header when the call was diverted, RFC 5806), retransmitted per timer A
// until something answers; ACK to the final answer; BYE to hang up a call that was answered.
// Written against hoptrace's plugin API (docs/plugins.md) in plain JavaScript:
//
//   plugins: [./plugins/sip-call.mjs]
//   probes:
//     - name: call-voicemail
//       trigger:
//         sip-call: { target: 127.0.0.1:7007, to: '4155550100', from: '4155550199', divertedFrom: '4155550100' }
import { isIP } from 'node:net';
import { z } from 'zod';
import { buildRequest, minimalSdp } from '../services/lib/sip-message.js';
import {
  T1_MS,
  T2_MS,
  awaitResponse,
  dialogParts,
  localAddressToward,
  openState,
  retransmit,
  socketFor,
  splitTarget,
} from './sip-uac.mjs';

/** How long the BYE's 200 is waited for: the call was answered already, this is only tidying up. */
const BYE_WAIT_MS = 1000;
/**
 * `fire` settles this long before the run's deadline, so that its own account of the call (what
 * answered, or that nothing did) is what the run records, not the Oamserver's "no answer in time".
 */
const SETTLE_BEFORE_DEADLINE_MS = 100;
/** How long a call is still listened to after `fire` returned: a late final answer gets its ACK (and BYE). */
const LINGER_MS = 64 * T1_MS;

const TARGET = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

const phoneNumber = z
  .union([z.string(), z.number().int().nonnegative()])
  .transform(String)
  .pipe(z.string().regex(/^\+?\d{3,15}$/, 'must be a phone number: 3 to 15 digits, maybe after a +'));

/** The options under `sip-call:`. */
const options = z
  .object({
    /** `host:port` of the SIP entry (the call edge), `[::1]:5060` for IPv6. */
    target: z.string().refine((target) => {
      const match = TARGET.exec(target);
      return match !== null && Number(match[2]) >= 1 && Number(match[2]) <= 65_535;
    }, 'must be host:port with a port from 1 to 65535, e.g. 127.0.0.1:7007 or [::1]:5060'),
    /** The number called (Request-URI and To). */
    to: phoneNumber,
    /** The caller (From). */
    from: phoneNumber,
    /** The subscriber whose line did not answer: adds `Diversion: <sip:N@host>;reason=no-answer`. */
    divertedFrom: phoneNumber.optional(),
    /** The final answer the call must get. */
    expectStatus: z.number().int().min(200).max(699).default(200),
  })
  .strict();

/** One line per answer, for the run's detail: `180 Ringing`. */
function describe(response) {
  return `${response.status} ${response.reason}`.trim();
}

/** Fires one run as a call. Never throws: whatever goes wrong is a failed trigger, said in one line. */
async function fire(run, carrier, opts, state) {
  try {
    return await placeCall(run, carrier, opts, state);
  } catch (error) {
    return { delivered: false, error: `sip-call to ${opts.target}: ${error.message}` };
  }
}

/** INVITE, then ACK and BYE; the result says what the call got. */
async function placeCall(run, carrier, opts, state) {
  if (state.closed) return { delivered: false, error: 'the sip-call plugin is closed' };
  const { host, port } = splitTarget(opts.target);
  const family = isIP(host) === 6 ? 6 : 4;
  let socket;
  let local;
  try {
    socket = await socketFor(state, family);
    local = await localAddressToward(host, port, family);
  } catch (error) {
    return { delivered: false, error: `cannot call ${opts.target}: ${error.code ?? error.message}` };
  }
  const parts = dialogParts(opts, local, socket.address().port, family);
  const sendErrors = [];
  // A send that fails (no route, a name that does not resolve) ends the wait: nothing will answer.
  const unsendable = new AbortController();
  const failedToSend = (error) => {
    sendErrors.push(error.code ?? error.message);
    unsendable.abort();
  };
  const send = (buffer) => {
    try {
      socket.send(buffer, port, host, (error) => error && failedToSend(error));
    } catch (error) {
      // The socket was closed under us (the Oamserver is stopping).
      failedToSend(error);
    }
  };

  const headers = [...parts.inviteHeaders(), ['contact', parts.contact], ['user-agent', 'hoptrace sip-call']];
  if (parts.diversion) headers.push(['diversion', parts.diversion]);
  // The run's context, as SIP extension headers: `traceparent`, `baggage` (and `tracestate`).
  carrier.inject(headers, (list, key, value) => list.push([key, value]));
  headers.push(['content-type', 'application/sdp']);
  const invite = buildRequest('INVITE', parts.requestUri, headers, minimalSdp(local, 49170));

  const call = {
    received: [],
    listeners: new Set(),
    final: undefined,
    // Every final answer gets its ACK, a retransmitted one again (the first ACK may have been
    // lost); the first 2xx also gets the BYE that hangs up.
    onInviteFinal(final) {
      send(parts.ack(final));
      if (call.final) return;
      call.final = final;
      if (final.status < 300) {
        call.bye = parts.bye(final);
        send(call.bye);
      }
    },
  };
  state.calls.set(parts.callId, call);

  // Settle before the deadline, with our own account of the call.
  const waitMs = Math.max(0, run.deadlineMs - Date.now() - SETTLE_BEFORE_DEADLINE_MS);
  const giveUp = AbortSignal.any([run.signal, unsendable.signal, AbortSignal.timeout(waitMs)]);
  let sent = 1;
  send(invite);
  // Timer A: T1, 2·T1, 4·T1, ... until anything answers (RFC 3261 §17.1.1.2).
  const stopInvite = retransmit(
    (buffer) => {
      sent++;
      send(buffer);
    },
    invite,
    () => giveUp.aborted || call.received.some((r) => r.cseq.method === 'INVITE'),
    Number.POSITIVE_INFINITY,
  );
  try {
    const final = await awaitResponse(call, (r) => r.cseq.method === 'INVITE' && r.status >= 200, giveUp);
    stopInvite();
    const heard = call.received.filter((r) => r.cseq.method === 'INVITE').map(describe);
    if (!final) {
      if (heard.length === 0) {
        const why = sendErrors.length > 0 ? `: ${[...new Set(sendErrors)].join(', ')}` : '';
        const times = sent === 1 ? 'once' : `${sent} times`;
        return { delivered: false, error: `nothing answered the INVITE at ${opts.target} (sent ${times})${why}` };
      }
      // Answered, never finished: cancel it (RFC 3261 §9.1); a late final answer still gets its ACK.
      send(parts.cancel());
      return {
        delivered: true,
        ok: false,
        messageId: parts.callId,
        expectedStatus: opts.expectStatus,
        detail: `INVITE → ${heard.join(', ')}; no final answer, CANCEL sent`,
        error: `no final answer from ${opts.target} within ${waitMs} ms (last: ${heard.at(-1)})`,
      };
    }
    let hangUp = 'ACK';
    if (call.bye) {
      const byeSignal = AbortSignal.any([giveUp, AbortSignal.timeout(BYE_WAIT_MS)]);
      const answered = (r) => r.cseq.method === 'BYE' && r.status >= 200;
      const stopBye = retransmit(send, call.bye, () => byeSignal.aborted || call.received.some(answered), T2_MS);
      const byeAnswer = await awaitResponse(call, answered, byeSignal);
      stopBye();
      hangUp = `ACK; BYE → ${byeAnswer ? describe(byeAnswer) : 'no answer'}`;
    }
    const ok = final.status === opts.expectStatus;
    return {
      delivered: true,
      ok,
      status: final.status,
      expectedStatus: opts.expectStatus,
      messageId: parts.callId,
      detail: `INVITE → ${heard.join(', ')}; ${hangUp}`,
      captured: { callId: parts.callId },
      ...(ok ? {} : { error: `expected ${opts.expectStatus}, got ${describe(final)} from ${opts.target}` }),
    };
  } catch (error) {
    // Never out of fire: a surprise is a failed trigger, said in one line.
    return { delivered: call.received.length > 0, ok: false, error: `sip-call to ${opts.target}: ${error.message}` };
  } finally {
    stopInvite();
    // A late final answer still gets its ACK (and BYE) for a while, then the call is forgotten.
    setTimeout(() => state.calls.delete(parts.callId), LINGER_MS).unref();
  }
}

/** The plugin (docs/plugins.md; its types: packages/oamserver/src/plugins/types.ts `TriggerPlugin`). */
export default {
  type: 'trigger',
  kind: 'sip-call',
  description: 'a SIP phone call (INVITE over UDP, the run in its traceparent and baggage headers), maybe diverted',
  options,
  open(env) {
    return openState(env.log);
  },
  fire,
  async close(state) {
    state.closed = true;
    state.calls.clear();
    for (const pending of state.sockets.values()) {
      const socket = await pending.catch(() => undefined);
      socket?.close();
    }
    state.sockets.clear();
  },
};
