import { describe, expect, it } from 'vitest';
import type { ClassifyInput } from '../src/classifier/types';
import { TIMEOUT_MS, classifyRun, hopOf } from './support/hops';

/** Runs with missing hops are classified at their deadline. */
const AT_DEADLINE_MS = TIMEOUT_MS + 250;
const RECORDER_ADDRESS = '127.0.0.1:7013';
const STORAGE_ADDRESS = '127.0.0.1:7021';

/** What earlier runs taught: who answered at which address. */
const PEERS: Record<string, { service: string; instance: string }> = {
  [RECORDER_ADDRESS]: { service: 'recorder', instance: 'recorder-2' },
  [STORAGE_ADDRESS]: { service: 'storage', instance: 'storage-3' },
  '127.0.0.1:7002': { service: 'mailbox', instance: 'mailbox-1' },
};
const peers: ClassifyInput['peers'] = (peer) => PEERS[peer];

/** The gateway called the recorder at `address`; no recorder hop came back, and the gateway answered 502. */
function recorderDown(address: string, gatewayAnswer: 'error' | 'ok' = 'error') {
  return {
    peers: { recorder: address, mailbox: '127.0.0.1:7002' },
    silent: ['recorder'],
    calls: { recorder: [] },
    ...(gatewayAnswer === 'error'
      ? {
          hops: {
            gateway: {
              status: 'error' as const,
              httpStatus: 502,
              errorType: 'Error',
              errorMessage: 'connect ECONNREFUSED',
            },
          },
          trigger: { ok: false, status: 502, error: 'expected HTTP 201, got 502' },
        }
      : {}),
  };
}

describe('classify: a call that reached no hop, at an address known to be an instance', () => {
  it('the gateway called recorder-2 and answered 502: lost at the recorder, instance recorder-2', () => {
    const result = classifyRun(recorderDown(RECORDER_ADDRESS), { peers }, AT_DEADLINE_MS);
    expect(hopOf(result.built.hops, 'gateway').exits?.map((e) => e.peer)).toEqual(['127.0.0.1:7002', RECORDER_ADDRESS]);
    expect(result.verdict).toBe('lost');
    expect(result.fault).toEqual({
      service: 'recorder',
      instance: 'recorder-2',
      reason:
        'gateway (gateway-1) called recorder at recorder-2 (127.0.0.1:7013), but no hop came back ' +
        '(gateway answered HTTP 502, Error: connect ECONNREFUSED)',
    });
    expect(result.facts.firstMissingHop).toBe('recorder');
  });

  it('the same when the gateway answered well (it queued the work): lost at recorder-2', () => {
    const result = classifyRun(recorderDown(RECORDER_ADDRESS, 'ok'), { peers }, AT_DEADLINE_MS);
    expect(result.verdict).toBe('lost');
    expect(result.fault).toEqual({
      service: 'recorder',
      instance: 'recorder-2',
      reason: 'gateway (gateway-1) called recorder at recorder-2 (127.0.0.1:7013), but no hop came back',
    });
  });

  it('an address nobody was seen answering at: the error stays at the gateway (no guess)', () => {
    const result = classifyRun(recorderDown('127.0.0.1:7999'), { peers }, AT_DEADLINE_MS);
    expect(result.verdict).toBe('error');
    expect(result.fault).toEqual({
      service: 'gateway',
      instance: 'gateway-1',
      reason: 'HTTP 502, Error: connect ECONNREFUSED',
    });
  });

  it('without learned addresses at all, the verdict is what it was: error at the gateway', () => {
    const result = classifyRun(recorderDown(RECORDER_ADDRESS), {}, AT_DEADLINE_MS);
    expect(result.verdict).toBe('error');
    expect(result.fault?.service).toBe('gateway');
  });

  it('an address known as another service proves nothing about the missing one', () => {
    // Last time, 127.0.0.1:7002 answered as the mailbox: a call there that left no hop does not name a recorder.
    const result = classifyRun(recorderDown('127.0.0.1:7002', 'ok'), { peers }, AT_DEADLINE_MS);
    expect(result.verdict).toBe('lost');
    expect(result.fault?.service).toBe('recorder');
    expect(result.fault?.instance).toBeUndefined();
  });

  it('deeper in the chain: the recorder could not reach storage-3, and every caller answered 502', () => {
    const result = classifyRun(
      {
        peers: { recorder: RECORDER_ADDRESS, storage: STORAGE_ADDRESS },
        silent: ['storage'],
        calls: { storage: [] },
        hops: {
          gateway: { status: 'error', httpStatus: 502 },
          recorder: { status: 'error', httpStatus: 502, errorType: 'FetchError', errorMessage: 'socket hang up' },
        },
        trigger: { ok: false, status: 502 },
      },
      { peers },
      AT_DEADLINE_MS,
    );
    expect(result.verdict).toBe('lost');
    expect(result.fault).toEqual({
      service: 'storage',
      instance: 'storage-3',
      reason:
        'recorder (recorder-1) called storage at storage-3 (127.0.0.1:7021), but no hop came back ' +
        '(recorder answered HTTP 502, FetchError: socket hang up)',
    });
  });

  it('an error at a service that is not the caller of the missing one stays an error there', () => {
    // The gateway's call to recorder-2 left no hop, but the mailbox failed on its own: error beats lost.
    const result = classifyRun(
      {
        peers: { recorder: RECORDER_ADDRESS },
        silent: ['recorder'],
        calls: { recorder: [] },
        hops: { mailbox: { status: 'error', httpStatus: 500, errorType: 'Error', errorMessage: 'greeting missing' } },
      },
      { peers },
      AT_DEADLINE_MS,
    );
    expect(result.verdict).toBe('error');
    expect(result.fault).toEqual({
      service: 'mailbox',
      instance: 'mailbox-1',
      reason: 'HTTP 500, Error: greeting missing',
    });
  });
});

describe('classify: calls to addresses where nothing instrumented answers', () => {
  it('an unrelated call with no hop (a third party) leaves a healthy run ok', () => {
    const result = classifyRun({ extraCalls: { recorder: ['10.0.0.9:443'] } }, { peers });
    expect(hopOf(result.built.hops, 'recorder').exits?.map((e) => e.peer)).toContain('10.0.0.9:443');
    expect(result.verdict).toBe('ok');
  });

  it('an unrelated unknown call does not change the verdict of a run that lost the recorder', () => {
    const base = { silent: ['recorder'], calls: { recorder: [] } };
    const plain = classifyRun(base, { peers }, AT_DEADLINE_MS);
    const withCall = classifyRun({ ...base, extraCalls: { gateway: ['10.0.0.9:443'] } }, { peers }, AT_DEADLINE_MS);
    expect(plain.verdict).toBe('lost');
    expect(withCall.verdict).toBe('lost');
    expect(withCall.fault).toEqual(plain.fault);
    expect(withCall.fault?.instance).toBeUndefined();
  });

  it('an unrelated unknown call does not move an error away from the service that answered it', () => {
    const options = {
      silent: ['recorder'],
      calls: { recorder: [] },
      extraCalls: { gateway: ['10.0.0.9:443'] },
      hops: { gateway: { status: 'error' as const, httpStatus: 502 } },
      trigger: { ok: false, status: 502 },
    };
    const result = classifyRun(options, { peers }, AT_DEADLINE_MS);
    expect(result.verdict).toBe('error');
    expect(result.fault).toMatchObject({ service: 'gateway', instance: 'gateway-1' });
  });
});
