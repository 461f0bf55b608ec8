// call-edge: where phone calls enter the voicemail platform. A minimal SIP user agent server over
// UDP (lib/sip-uas.js); no HTTP on the way in. A call diverted to voicemail (an INVITE with a
// `Diversion:` header, RFC 5806, naming the subscriber whose line did not answer) starts the
// deposit flow: the gateway's POST /calls/:number/voicemail, with the caller from the From
// header. The voicemail "picks up" (200 OK) once the gateway has stored the message. A call that
// was not diverted is simply answered. The trace context comes in the INVITE's own headers
// (`traceparent`, `baggage`: SIP allows extension headers), so a probe's call is a hop like any other.
//   SIP   udp SIP_PORT (default: the same number as PORT)   INVITE ACK BYE CANCEL OPTIONS
//   GET /sip/stats   counters: datagrams, garbage, requests by method, answers by status, calls
import dgram from 'node:dgram';
import { runInMessageContext } from '@hoptrace/instrument';
import { downstream } from './lib/downstream.js';
import { sleep } from './lib/faults.js';
import { isPhoneNumber } from './lib/key-space.js';
import { firstHeader, phoneNumberOf } from './lib/sip-message.js';
import { SipFailure, SipUserAgentServer } from './lib/sip-uas.js';
import { createService, startService } from './lib/service.js';
import { serviceConfig } from './lib/config.js';
import { DOWNSTREAMS } from './lib/topology.js';

const config = serviceConfig('call-edge', {
  env: process.env,
  argv: process.argv,
  downstreams: DOWNSTREAMS['call-edge'],
});
const sipPort = sipPortFrom(process.env.SIP_PORT, config.port);
let sipReady = false;
const { app, logger, faults } = createService(config, { isReady: () => sipReady });
const gateway = downstream('gateway', config.downstreams.gateway, { timeoutMs: config.downstreamTimeoutMs });
const calls = { plain: 0, diverted: 0, deposited: 0, notDeposited: 0, dropped: 0, failed: 0 };

/** SIP_PORT, or the HTTP port's number (UDP and TCP ports are apart); exits on a value that is not a port. */
function sipPortFrom(raw, httpPort) {
  if (raw === undefined || raw === '') return httpPort;
  const port = Number(raw);
  if (Number.isInteger(port) && port >= 0 && port <= 65_535) return port;
  process.stderr.write(`call-edge: cannot start:\n  - SIP_PORT: "${raw}" is not a port number\n`);
  process.exit(1);
}

/** The INVITE's trace context, as the messaging helpers read it from any carrier. */
function traceCarrier(invite) {
  const carrier = {};
  for (const name of ['traceparent', 'tracestate', 'baggage']) {
    const value = firstHeader(invite, name);
    if (value !== undefined) carrier[name] = value;
  }
  return carrier;
}

/**
 * Answers one INVITE, under the call's hop. A 5xx is thrown (the hop is an error, as a server
 * span with a 5xx is); any other answer is returned. Faults apply as to an HTTP request: the
 * latency delays the answer, an error answers 500, a drop answers the call and deposits nothing.
 */
async function answerCall(invite, ringing) {
  const { latencyMs, fail, drop } = faults.decide();
  if (latencyMs > 0) await sleep(latencyMs);
  if (fail) throw new SipFailure(500, 'injected fault (errorRate)');
  ringing();
  const diversion = firstHeader(invite, 'diversion');
  if (diversion === undefined) {
    calls.plain++;
    return { status: 200 };
  }
  calls.diverted++;
  // The first Diversion header is the latest diversion: the subscriber whose voicemail this is.
  const number = phoneNumberOf(diversion);
  const caller = phoneNumberOf(firstHeader(invite, 'from'));
  if (!isPhoneNumber(number) || !isPhoneNumber(caller)) return { status: 400 };
  if (drop) {
    // The platform takes the call and loses it: the caller hears nothing wrong, nothing is stored.
    calls.dropped++;
    return { status: 200 };
  }
  // An unreachable gateway throws: answered 500, and the hop records the call that went nowhere.
  const deposit = await gateway.call('POST', `/calls/${number}/voicemail`, { caller });
  if (deposit.status === 201) {
    calls.deposited++;
    return { status: 200 };
  }
  calls.notDeposited++;
  // 202: a service behind the gateway accepted the message without storing it; nobody picked up.
  if (deposit.status === 202) return { status: 480 };
  if (deposit.status >= 400 && deposit.status < 500) return { status: deposit.status === 404 ? 404 : 400 };
  throw new SipFailure(500, `the gateway answered ${deposit.status} to the deposit`);
}

const socket = dgram.createSocket({ type: config.host.includes(':') ? 'udp6' : 'udp4' });
const sip = new SipUserAgentServer({
  socket,
  logger,
  async onInvite(invite, { ringing }) {
    try {
      return await runInMessageContext(
        traceCarrier(invite),
        { destination: 'INVITE', system: 'sip', messageId: firstHeader(invite, 'call-id') },
        () => answerCall(invite, ringing),
      );
    } catch (error) {
      calls.failed++;
      throw error;
    }
  },
});

app.get('/sip/stats', (req, res) => {
  res.json({
    sipPort: sipReady ? socket.address().port : null,
    ...sip.stats,
    ...sip.sizes,
    requests: sip.requests,
    answers: sip.answers,
    calls,
  });
});

// As startService does for HTTP: a SIP port in use stops the service, saying which.
socket.once('error', (error) => {
  if (sipReady) return;
  process.stderr.write(`cannot listen on SIP udp ${config.host}:${sipPort}: ${error.code ?? error.message}\n`);
  process.exit(1);
});
socket.bind(sipPort, config.host, () => {
  sipReady = true;
  logger.info('sip listening', { sip: `sip:call-edge@${config.host}:${socket.address().port}` });
});
startService({ app, config, logger, onShutdown: () => sip.close() });
