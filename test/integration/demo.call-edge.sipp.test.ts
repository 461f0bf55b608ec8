import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { readHops, waitForHops } from '../support/hops';
import { setFaults, startDemo, type RunningDemo } from '../support/demo';
import { probeRequest } from '../support/probe';
import { deleteKeysUnder, testRedis, uniquePrefix } from '../support/redis';
import { waitFor } from '../support/wait';

const SCENARIOS = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'sipp');
const SUBSCRIBER = '4155550100';
const CALLER = '4155550199';

interface SipStats {
  sipPort: number;
  datagrams: number;
  garbage: number;
  malformed: number;
  requests: Record<string, number>;
  answers: Record<string, number>;
  calls: { plain: number; diverted: number; deposited: number };
}

interface Listing {
  messages: { id: string; caller: string; receivedAt: string }[];
}

/** A UDP port free on 127.0.0.1 right now, for sipp's own end of the calls (its default, 5060, may be taken). */
function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

/** The messages a datagram from a fresh socket gets back within `timeoutMs` (for the hand-made requests). */
async function exchange(port: number, datagram: string | Buffer, timeoutMs = 2000): Promise<string[]> {
  const socket = createSocket('udp4');
  const answers: string[] = [];
  socket.on('message', (message) => answers.push(message.toString('utf8')));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  socket.send(datagram, port, '127.0.0.1');
  await waitFor(() => answers.length > 0, { timeoutMs, what: `an answer from 127.0.0.1:${port}` }).finally(() =>
    socket.close(),
  );
  return answers;
}

/** A SIP request written by hand: `headers` in order, Content-Length added. */
function sipRequest(method: string, headers: string[]): string {
  return [`${method} sip:${SUBSCRIBER}@127.0.0.1 SIP/2.0`, ...headers, 'Content-Length: 0', '', ''].join('\r\n');
}

// The call edge against sipp (Debian's sip-tester), an independent SIP implementation: the SIP
// side of the demo's non-HTTP entry, with the demo platform behind it.
describe('the call edge, called by sipp', () => {
  const prefix = uniquePrefix('call-edge-sipp');
  let redis: Redis;
  let demo: RunningDemo;
  let callEdge: string;
  let gateway: string;
  let sipPort: number;
  let workDir: string;

  async function stats(): Promise<SipStats> {
    return (await (await fetch(`${callEdge}/sip/stats`)).json()) as SipStats;
  }

  /**
   * Runs sipp for one call in the foreground (no -bg: its exit code says whether the call
   * completed: 0 when every call of the scenario did), with no interactive screen (-nostdin),
   * every message it sent and got logged to a file.
   */
  async function sipp(
    scenario: string[],
    { timeoutS = 15 }: { timeoutS?: number } = {},
  ): Promise<{ code: number | null; messages: string; output: string }> {
    const messageFile = join(workDir, `messages-${Date.now()}-${Math.random().toString(36).slice(2)}.log`);
    const args = [
      ...scenario,
      '-s',
      SUBSCRIBER,
      `127.0.0.1:${sipPort}`,
      '-i',
      '127.0.0.1',
      '-p',
      String(await freeUdpPort()),
      '-m',
      '1',
      '-nostdin',
      '-timeout',
      `${timeoutS}s`,
      '-timeout_error',
      '-trace_msg',
      '-message_file',
      messageFile,
    ];
    return new Promise((resolve, reject) => {
      const child = spawn('sipp', args, { cwd: workDir, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('error', (error) =>
        reject(new Error(`cannot run sipp (Debian: apt-get install sip-tester): ${error.message}`)),
      );
      child.once('exit', (code) => {
        let messages = '';
        try {
          messages = readFileSync(messageFile, 'utf8');
        } catch {
          // sipp stopped before it logged anything: the output says why.
        }
        resolve({ code, messages, output });
      });
    });
  }

  /**
   * The final answers to the INVITE that sipp received, from its message log: `200 OK`, `500
   * Server Internal Error`. (sipp logs an answer its scenario did not expect a second time, as
   * "Unexpected UDP message received": only the "UDP message received" entries count.)
   */
  function inviteFinals(messages: string): string[] {
    const received =
      /^UDP message received[^\n]*\n\r?\nSIP\/2\.0 ([2-6]\d\d [^\r\n]*)\r?\n(?:[^\r\n]+\r?\n)*?CSeq: 1 INVITE/gm;
    return [...messages.matchAll(received)].map((m) => m[1]!);
  }

  async function listing(pin: string, headers: Record<string, string> = {}): Promise<Listing> {
    const res = await fetch(`${gateway}/subscribers/${SUBSCRIBER}/messages`, { headers: { 'x-pin': pin, ...headers } });
    expect(res.status).toBe(200);
    return (await res.json()) as Listing;
  }

  beforeAll(async () => {
    redis = testRedis();
    workDir = mkdtempSync(join(tmpdir(), 'hoptrace-sipp-'));
    demo = await startDemo(prefix);
    callEdge = demo.urls['call-edge'][0]!;
    gateway = demo.urls.gateway[0]!;
    sipPort = (await stats()).sipPort;
  }, 120_000);

  afterEach(async () => {
    await setFaults(callEdge, undefined).catch(() => undefined);
  });

  afterAll(async () => {
    await demo?.stop();
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
    rmSync(workDir, { recursive: true, force: true });
  }, 30_000);

  it("a plain call (sipp's own uac scenario) is answered 200 OK, hung up, and starts no flow", async () => {
    const before = await stats();
    const call = await sipp(['-sn', 'uac']);
    expect(call.code, call.output).toBe(0);
    expect(inviteFinals(call.messages)).toEqual(['200 OK']);
    expect(call.messages).toMatch(/^SIP\/2\.0 100 Trying/m);
    expect(call.messages).toMatch(/^SIP\/2\.0 200 OK\r?\n(?:[^\r\n]+\r?\n)*?CSeq: 2 BYE/m);
    const after = await stats();
    expect(after.calls.plain).toBe(before.calls.plain + 1);
    expect(after.calls.diverted).toBe(before.calls.diverted);
    expect(after.requests).toMatchObject({
      INVITE: (before.requests.INVITE ?? 0) + 1,
      ACK: (before.requests.ACK ?? 0) + 1,
      BYE: (before.requests.BYE ?? 0) + 1,
    });
  });

  it('a diverted call deposits a message for the subscriber, then the voicemail answers 200 OK', async () => {
    const before = (await listing('1234')).messages.length;
    const call = await sipp(['-sf', join(SCENARIOS, 'diverted-call.xml'), '-key', 'caller', CALLER]);
    expect(call.code, call.output).toBe(0);
    expect(call.messages).toMatch(/^Diversion: <sip:4155550100@127\.0\.0\.1>;reason=no-answer/m);
    expect(inviteFinals(call.messages)).toEqual(['200 OK']);
    // The message is there by the time the call is answered: no waiting.
    const after = await listing('1234');
    expect(after.messages).toHaveLength(before + 1);
    expect(after.messages[0]).toMatchObject({ caller: CALLER });
    expect((await stats()).calls.deposited).toBeGreaterThanOrEqual(1);
  });

  it('a diverted call carrying a probe context in its SIP headers is a hop, and the gateway hop is its child', async () => {
    const probe = probeRequest({ probe: 'call-voicemail' });
    const call = await sipp([
      '-sf',
      join(SCENARIOS, 'diverted-probe-call.xml'),
      '-key',
      'caller',
      CALLER,
      '-key',
      'traceparent',
      probe.headers.traceparent!,
      '-key',
      'baggage',
      probe.headers.baggage!,
    ]);
    expect(call.code, call.output).toBe(0);
    expect(inviteFinals(call.messages)).toEqual(['200 OK']);

    const hops = await waitForHops(redis, prefix, probe.runId, 6, 20_000);
    const byService = new Map(hops.map((hop) => [hop.service, hop]));
    expect([...byService.keys()].sort()).toEqual(
      ['call-edge', 'gateway', 'mailbox', 'notifier', 'recorder', 'storage'].sort(),
    );
    const edge = byService.get('call-edge')!;
    expect(edge).toMatchObject({
      kind: 'consumer',
      operation: 'process INVITE',
      status: 'ok',
      traceId: probe.traceId,
      parentSpanId: probe.parentSpanId,
      instance: 'call-edge-1',
    });
    // The gateway was called from inside the call edge's hop: its parent is one of the edge's exits.
    const gatewayHop = byService.get('gateway')!;
    expect(gatewayHop.traceId).toBe(probe.traceId);
    expect(edge.exits?.map((exit) => exit.spanId)).toContain(gatewayHop.parentSpanId);
    expect((await readHops(redis, prefix, probe.runId)).every((hop) => hop.traceId === probe.traceId)).toBe(true);

    // A probe's message is synthetic: in the probe mailbox (PIN 0000), not in the subscriber's.
    const synthetic = await listing('0000', probeRequest({ probe: 'retrieve-voicemail' }).headers);
    expect(synthetic.messages[0]).toMatchObject({ caller: CALLER });
  });

  it('garbage datagrams are counted and ignored; OPTIONS, bad requests and unknown methods get their answers', async () => {
    const before = await stats();
    const garbage = [
      Buffer.from([0x00, 0xff, 0x13, 0x37]),
      'hello, world',
      'INVITE sip:x@y SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK1\r\n', // no end of headers
      'SIP/2.0 200 OK\r\nCall-ID: nobody\r\n\r\n', // a response to nothing
      'INVITE sip:x@y SIP/2.0\r\nthis line has no colon\r\n\r\n',
      'INVITE sip:x@y SIP/2.0\r\nContent-Length: 900\r\n\r\nshort', // truncated body
      Buffer.alloc(60_000, 0x41),
    ];
    const sender = createSocket('udp4');
    for (const datagram of garbage) {
      await new Promise<void>((resolve, reject) =>
        sender.send(datagram, sipPort, '127.0.0.1', (error) => (error ? reject(error) : resolve())),
      );
    }
    sender.close();
    await waitFor(async () => (await stats()).garbage >= before.garbage + garbage.length, {
      what: 'the garbage datagrams to be counted',
    });

    const common = (callId: string, cseq: string) => [
      'Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK' + callId,
      'From: <sip:4155550199@127.0.0.1>;tag=t1',
      `To: <sip:${SUBSCRIBER}@127.0.0.1>`,
      `Call-ID: ${callId}@test`,
      `CSeq: ${cseq}`,
    ];
    const [options] = await exchange(sipPort, sipRequest('OPTIONS', common('options1', '1 OPTIONS')));
    expect(options).toMatch(/^SIP\/2\.0 200 OK\r\n/);
    expect(options).toMatch(/^Allow: INVITE, ACK, BYE, CANCEL, OPTIONS\r$/m);
    expect(options).toMatch(/^Call-ID: options1@test\r$/m);
    expect(options).toMatch(/^CSeq: 1 OPTIONS\r$/m);

    const [unknown] = await exchange(sipPort, sipRequest('MESSAGE', common('message1', '1 MESSAGE')));
    expect(unknown).toMatch(/^SIP\/2\.0 501 Not Implemented\r\n/);

    const noCallId = common('bad1', '1 INVITE').filter((h) => !h.startsWith('Call-ID'));
    const [bad] = await exchange(sipPort, sipRequest('INVITE', noCallId));
    expect(bad).toMatch(/^SIP\/2\.0 400 Bad Request/);

    // And a real call still goes through.
    const call = await sipp(['-sn', 'uac']);
    expect(call.code, call.output).toBe(0);
    expect(inviteFinals(call.messages)).toEqual(['200 OK']);
    expect((await stats()).malformed).toBe(before.malformed + 1);
  });

  it('faults apply to SIP: a delay holds the answer back, an error answers 500', async () => {
    await setFaults(callEdge, { latencyMs: 600 });
    const slow = await sipp(['-sn', 'uac']);
    expect(slow.code, slow.output).toBe(0);
    // 100 Trying at once (the transaction layer), the final answer only after the injected delay.
    const times = [
      ...slow.messages.matchAll(/^-+ (\S+ \S+)\r?\nUDP message received[^\n]*\n\r?\n(SIP\/2\.0 \d+)/gm),
    ].map((m) => ({ at: Date.parse(m[1]!.replace(' ', 'T') + 'Z'), line: m[2]! }));
    const trying = times.find((t) => t.line === 'SIP/2.0 100')!;
    const ok = times.find((t) => t.line === 'SIP/2.0 200')!;
    expect(ok.at - trying.at).toBeGreaterThanOrEqual(550);

    // GET /sip/stats is a business route like any other: read it while no fault is in force.
    await setFaults(callEdge, undefined);
    const before = await stats();
    await setFaults(callEdge, { errorRate: 1 });
    const failing = await sipp(['-sn', 'uac']);
    expect(failing.code, failing.output).toBe(1); // sipp: at least one call failed
    expect(inviteFinals(failing.messages)).toEqual(['500 Server Internal Error']);
    await setFaults(callEdge, undefined);
    const after = await stats();
    expect(after.answers['500']).toBe((before.answers['500'] ?? 0) + 1);
    expect(after.calls.plain).toBe(before.calls.plain);
  });

  // Last: the call edge stays down.
  it('a crashed call edge answers nothing', async () => {
    await setFaults(callEdge, { crash: true });
    await waitFor(
      () =>
        fetch(`${callEdge}/healthz`).then(
          () => false,
          () => true,
        ),
      { what: 'the call edge to be down' },
    );
    const call = await sipp(['-sn', 'uac'], { timeoutS: 3 });
    expect(call.code).not.toBe(0);
    expect(call.messages).not.toMatch(/^SIP\/2\.0/m);
  });
});
