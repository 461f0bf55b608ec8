// Finds a Redis for the example: REDIS_URL if set, else one answering on 127.0.0.1:6379, else a
// private redis-server started on a free port (stopped with the example).
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

async function answers(url) {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Returns { url, stop() }. */
export async function findOrStartRedis() {
  if (process.env.REDIS_URL) {
    if (!(await answers(process.env.REDIS_URL))) throw new Error(`REDIS_URL=${process.env.REDIS_URL} does not answer`);
    return { url: process.env.REDIS_URL, stop: () => undefined };
  }
  const local = 'redis://127.0.0.1:6379';
  if (await answers(local)) return { url: local, stop: () => undefined };
  if (spawnSync('redis-server', ['--version']).error) {
    throw new Error(
      'no Redis answers on 127.0.0.1:6379 and redis-server is not installed.\n' +
        '  Install it (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis)\n' +
        '  or point REDIS_URL at a Redis you have: REDIS_URL=redis://host:6379 pnpm demo',
    );
  }
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50 && !(await answers(url)); i++) await new Promise((r) => setTimeout(r, 100));
  return { url, stop: () => child.kill() };
}
