import { describe, expect, it } from 'vitest';
import { PeerDirectory } from '../src/stats/peer-directory';
import { buildRun } from './support/hops';

const ADDRESSES = {
  mailbox: '127.0.0.1:7002',
  recorder: '127.0.0.1:7013',
  storage: '127.0.0.1:7021',
  notifier: 'redis://127.0.0.1:6379',
};

describe('PeerDirectory', () => {
  it('learns which instance answered at each address its caller named', () => {
    const directory = new PeerDirectory();
    const { hops } = buildRun({ peers: ADDRESSES, hops: { recorder: { instance: 'recorder-2' } } });
    directory.learn(hops);
    expect(directory.lookup('127.0.0.1:7013')).toEqual({ service: 'recorder', instance: 'recorder-2' });
    expect(directory.lookup('127.0.0.1:7002')).toEqual({ service: 'mailbox', instance: 'mailbox-1' });
    expect(directory.lookup('127.0.0.1:7021')).toEqual({ service: 'storage', instance: 'storage-1' });
    expect(directory.lookup('redis://127.0.0.1:6379')).toEqual({ service: 'notifier', instance: 'notifier-1' });
    expect(directory.lookup('127.0.0.1:9999')).toBeUndefined();
    expect(directory.size).toBe(4);
  });

  it('learns nothing from exits without an address, from calls that reached no hop, or from the entry hop', () => {
    const directory = new PeerDirectory();
    directory.learn(buildRun().hops);
    // The gateway's call to the recorder names an address, but the recorder left no hop.
    directory.learn(
      buildRun({ peers: { recorder: '127.0.0.1:7013' }, silent: ['recorder'], calls: { recorder: [] } }).hops,
    );
    // A third-party call is an exit with an address and no hop.
    directory.learn(buildRun({ extraCalls: { recorder: ['10.0.0.9:443'] } }).hops);
    expect(directory.size).toBe(0);
    expect(directory.lookup('127.0.0.1:7013')).toBeUndefined();
    expect(directory.lookup('10.0.0.9:443')).toBeUndefined();
  });

  it('the latest instance seen at an address replaces the one before (a redeploy moved it)', () => {
    const directory = new PeerDirectory();
    directory.learn(buildRun({ peers: ADDRESSES, hops: { recorder: { instance: 'recorder-2' } } }).hops);
    directory.learn(buildRun({ peers: ADDRESSES, hops: { recorder: { instance: 'recorder-7' } } }).hops);
    expect(directory.lookup('127.0.0.1:7013')).toEqual({ service: 'recorder', instance: 'recorder-7' });
    expect(directory.size).toBe(4);
  });

  it('names only the service at an address where instances take turns (a load balancer)', () => {
    const directory = new PeerDirectory();
    for (const instance of ['recorder-1', 'recorder-2', 'recorder-1']) {
      directory.learn(buildRun({ peers: ADDRESSES, hops: { recorder: { instance } } }).hops);
    }
    expect(directory.lookup('127.0.0.1:7013')).toEqual({ service: 'recorder', instance: undefined });
    // One instance answering ten times in a row makes the address its own again.
    for (let i = 0; i < 10; i++)
      directory.learn(buildRun({ peers: ADDRESSES, hops: { recorder: { instance: 'recorder-3' } } }).hops);
    expect(directory.lookup('127.0.0.1:7013')).toEqual({ service: 'recorder', instance: 'recorder-3' });
  });

  it('is bounded: past its size, the address learned longest ago is forgotten first', () => {
    const directory = new PeerDirectory(2);
    const recorderAt = (address: string, instance: string) =>
      buildRun({ peers: { recorder: address }, hops: { recorder: { instance } } }).hops;
    directory.learn(recorderAt('10.0.0.1:7013', 'recorder-1'));
    directory.learn(recorderAt('10.0.0.2:7013', 'recorder-2'));
    // Seen again: the first address is now the most recently learned.
    directory.learn(recorderAt('10.0.0.1:7013', 'recorder-1'));
    directory.learn(recorderAt('10.0.0.3:7013', 'recorder-3'));
    expect(directory.size).toBe(2);
    expect(directory.lookup('10.0.0.2:7013')).toBeUndefined();
    expect(directory.lookup('10.0.0.1:7013')).toEqual({ service: 'recorder', instance: 'recorder-1' });
    expect(directory.lookup('10.0.0.3:7013')).toEqual({ service: 'recorder', instance: 'recorder-3' });
  });
});
