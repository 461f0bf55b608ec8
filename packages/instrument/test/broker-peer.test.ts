import { describe, expect, it } from 'vitest';
import { amqpChannelPeer, natsConnectionPeer, socketPeer } from '../src/brokers/broker-peer';

// The shapes read here, as amqplib 0.10/2.x and nats.js 2.x have them (checked against the real
// brokers in test/integration/instrument.token-stays-inside.test.ts and the broker hop suites).
describe('broker peers: the destination of a published message', () => {
  it('an amqplib channel: the host its connection socket was asked for, and the port', () => {
    const channel = { connection: { stream: { _host: 'rabbitmq', remoteAddress: '10.0.0.5', remotePort: 5672 } } };
    expect(amqpChannelPeer(channel)).toEqual({ address: 'rabbitmq', port: 5672 });
  });

  it('falls back to the remote address, and says nothing when there is neither', () => {
    expect(socketPeer({ remoteAddress: '10.0.0.5' })).toEqual({ address: '10.0.0.5' });
    expect(socketPeer({})).toBeUndefined();
    expect(socketPeer(null)).toBeUndefined();
    expect(amqpChannelPeer({})).toBeUndefined();
    expect(amqpChannelPeer(undefined)).toBeUndefined();
  });

  it('a nats.js connection: the server it is on now', () => {
    expect(natsConnectionPeer({ protocol: { server: { hostname: 'nats.cluster.local', port: 4222 } } })).toEqual({
      address: 'nats.cluster.local',
      port: 4222,
    });
    expect(natsConnectionPeer({ protocol: {} })).toBeUndefined();
    expect(natsConnectionPeer(undefined)).toBeUndefined();
  });

  it('never throws, even on a getter that does', () => {
    const hostile = {
      get connection(): never {
        throw new Error('no');
      },
      get protocol(): never {
        throw new Error('no');
      },
    };
    expect(amqpChannelPeer(hostile)).toBeUndefined();
    expect(natsConnectionPeer(hostile)).toBeUndefined();
  });
});
