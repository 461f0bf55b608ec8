// Port checks for the launcher, also used by the tests and the benchmarks (`@hoptrace/demo/ports`).
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

/** Whether `port` can be listened on at 127.0.0.1 right now. */
export function portIsFree(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Whether UDP `port` can be bound at 127.0.0.1 right now (the call edge's SIP port). */
export function udpPortIsFree(port) {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}

/** A port free right now on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A base port with the `count` ports from it free now (the launcher gives services consecutive ports). */
export async function freePortRange(count) {
  for (let attempt = 0; attempt < 20; attempt++) {
    const base = await freePort();
    if (base + count > 65_000) continue;
    const free = await Promise.all(Array.from({ length: count }, (_, i) => portIsFree(base + i)));
    if (free.every(Boolean)) return base;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}
