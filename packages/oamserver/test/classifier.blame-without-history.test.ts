import { describe, expect, it } from 'vitest';
import type { ClassifyInput } from '../src/classifier/types';
import { TIMEOUT_MS, classifyRun } from './support/hops';

/** Runs with missing hops are classified at their deadline. */
const AT_DEADLINE_MS = TIMEOUT_MS + 250;
const RECORDER_ADDRESS = '127.0.0.1:7013';

/**
 * The mailbox (right before the recorder in the path) called the recorder at `address` and the call
 * reached no process (`code`); no recorder hop came back, and the gateway answered 502. No peer
 * directory unless given.
 */
function recorderDown(code: string, address = RECORDER_ADDRESS) {
  return {
    peers: { recorder: address, mailbox: '127.0.0.1:7002' },
    unreached: { [address]: code },
    silent: ['recorder'],
    calls: { gateway: ['mailbox'], mailbox: ['recorder'], recorder: [] },
    hops: {
      mailbox: {
        status: 'error' as const,
        httpStatus: 502,
        errorType: 'Error',
        errorMessage: `connect ${code} ${address}`,
      },
      gateway: {
        status: 'error' as const,
        httpStatus: 502,
        errorType: 'Error',
        errorMessage: `connect ${code} ${RECORDER_ADDRESS}`,
      },
    },
    trigger: { ok: false, status: 502, error: 'expected HTTP 201, got 502' },
  };
}

describe('classify: blame with no history (a call that reached no process)', () => {
  it('the gateway could not connect to the recorder: lost at the recorder, naming the address, on the very first run', () => {
    const result = classifyRun(recorderDown('ECONNREFUSED'), {}, AT_DEADLINE_MS);
    expect(result.verdict).toBe('lost');
    expect(result.fault).toEqual({
      service: 'recorder',
      reason:
        'mailbox (mailbox-1) called recorder at 127.0.0.1:7013, and nothing answered there (connection refused, ECONNREFUSED)',
    });
    expect(result.facts.firstMissingHop).toBe('recorder');
  });

  it.each([
    ['ECONNRESET', 'connection closed before an answer'],
    ['ENOTFOUND', 'no such host'],
    ['UND_ERR_CONNECT_TIMEOUT', 'connect timed out'],
    ['EHOSTUNREACH', 'host unreachable'],
  ])('%s says so in words', (code, words) => {
    const result = classifyRun(recorderDown(code), {}, AT_DEADLINE_MS);
    expect(result.verdict).toBe('lost');
    expect(result.fault?.reason).toContain(`(${words}, ${code})`);
  });

  it('with the address known from earlier runs, names the instance too', () => {
    const peers: ClassifyInput['peers'] = (peer) =>
      peer === RECORDER_ADDRESS ? { service: 'recorder', instance: 'recorder-2' } : undefined;
    const result = classifyRun(recorderDown('ECONNREFUSED'), { peers }, AT_DEADLINE_MS);
    expect(result.fault).toEqual({
      service: 'recorder',
      instance: 'recorder-2',
      reason:
        'mailbox (mailbox-1) called recorder at recorder-2 (127.0.0.1:7013), and nothing answered there (connection refused, ECONNREFUSED)',
    });
  });

  it('an address known as another service (a third party down) proves nothing about the recorder: error at the mailbox', () => {
    const peers: ClassifyInput['peers'] = (peer) =>
      peer === RECORDER_ADDRESS ? { service: 'billing', instance: 'billing-1' } : undefined;
    const result = classifyRun(recorderDown('ECONNREFUSED'), { peers }, AT_DEADLINE_MS);
    expect(result.verdict).toBe('error');
    expect(result.fault?.service).toBe('mailbox');
  });

  it('a refused call of a service earlier in the path, to an unknown address, blames nobody downstream', () => {
    // The gateway (not right before the recorder) could not reach some address; the mailbox then
    // failed on its own, the recorder was never called.
    const result = classifyRun(
      {
        ...recorderDown('ECONNREFUSED'),
        calls: { gateway: ['mailbox'], mailbox: [], recorder: [] },
        unreached: { '10.9.9.9:8443': 'ECONNREFUSED' },
        extraCalls: { gateway: ['10.9.9.9:8443'] },
      },
      {},
      AT_DEADLINE_MS,
    );
    expect(result.verdict).toBe('error');
    expect(result.fault?.service).toBe('mailbox');
  });

  it('a host named after the missing service counts from any caller (recorder:8080, recorder.vm.svc.cluster.local:80)', () => {
    for (const address of ['recorder:8080', 'recorder.vm.svc.cluster.local:80']) {
      const run = recorderDown('ENOTFOUND', address);
      // The gateway calls the recorder itself here, and the mailbox answered well.
      const result = classifyRun(
        {
          ...run,
          calls: { gateway: ['mailbox', 'recorder'], mailbox: [], recorder: [] },
          hops: { gateway: run.hops.gateway },
        },
        {},
        AT_DEADLINE_MS,
      );
      expect(result.verdict).toBe('lost');
      expect(result.fault?.reason).toBe(
        `gateway (gateway-1) called recorder at ${address}, and nothing answered there (no such host, ENOTFOUND)`,
      );
    }
  });

  it('a call that got an answer (even a failing one) is not "nothing answered": the error stays where it was', () => {
    const result = classifyRun({ ...recorderDown('ECONNREFUSED'), unreached: {} }, {}, AT_DEADLINE_MS);
    expect(result.verdict).toBe('error');
    expect(result.fault?.service).toBe('mailbox');
  });
});
