// Finds the Redis for the demo (and the benchmarks, through `@hoptrace/demo/redis`): REDIS_URL if
// set (it must answer), else one answering on 127.0.0.1:6379, else a private redis-server on a
// free port, stopped with the demo.
import { spawn, spawnSync } from 'node:child_process';
import { parseRedisTarget } from '@hoptrace/core';
import { createRedisClient } from '@hoptrace/core/redis';
import { freePort } from './ports.mjs';

const LOCAL_URL = 'redis://127.0.0.1:6379';

/** A problem the user can fix; printed without a stack trace. */
export class RedisUnavailable extends Error {}

async function answers(url) {
  let target;
  try {
    target = parseRedisTarget(url);
  } catch {
    return false;
  }
  // A cluster seed list answers when the cluster does: its client is ready once it has read the
  // slots from a seed and the cluster says it is ok.
  const client = createRedisClient(target, {
    connection: { maxRetriesPerRequest: 0, connectTimeout: 1000 },
    single: { lazyConnect: true, retryStrategy: () => null },
    cluster: { lazyConnect: true, clusterRetryStrategy: () => null },
  });
  client.on('error', () => undefined); // a refused connection is an answer here, not a crash
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

async function startPrivateRedis() {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50 && !(await answers(url)); i++) await new Promise((r) => setTimeout(r, 100));
  if (!(await answers(url))) {
    child.kill('SIGKILL');
    throw new RedisUnavailable(`started redis-server on port ${port}, but it does not answer`);
  }
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return { url, origin: `a private redis-server (port ${port}, stopped with the demo)`, stop };
}

/** Returns `{ url, origin, stop() }`; throws RedisUnavailable with what to do when there is none. */
export async function findOrStartRedis(env) {
  if (env.REDIS_URL) {
    if (!(await answers(env.REDIS_URL))) {
      throw new RedisUnavailable(`REDIS_URL=${env.REDIS_URL} does not answer (start it, or unset REDIS_URL)`);
    }
    return { url: env.REDIS_URL, origin: 'REDIS_URL', stop: async () => undefined };
  }
  if (await answers(LOCAL_URL))
    return { url: LOCAL_URL, origin: 'the Redis on 127.0.0.1:6379', stop: async () => undefined };
  if (spawnSync('redis-server', ['--version']).error) {
    throw new RedisUnavailable(
      'no Redis answers on 127.0.0.1:6379 and redis-server is not installed.\n' +
        '  Install it:  Debian/Ubuntu: sudo apt-get install redis-server    macOS: brew install redis\n' +
        '  or point at a Redis you have:  REDIS_URL=redis://host:6379',
    );
  }
  return startPrivateRedis();
}
