import { createServer } from 'node:net';

/** A TCP port that was free a moment ago (listen on it, close it). Also used as "a closed port". */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}
