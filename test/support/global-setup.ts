import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from './ports';
import { waitFor } from './wait';

const DEFAULT_URL = 'redis://127.0.0.1:6379';

async function answers(url: string): Promise<boolean> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 2000,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/**
 * Integration suites need a real Redis: REDIS_URL when set (it must answer), else the local
 * default, else a private redis-server started here for the run. When none of these works the
 * run fails with a clear message: a skipped suite would hide that nothing was tested.
 */
export default async function setup(): Promise<() => void> {
  const configured = process.env.REDIS_URL;
  if (configured) {
    if (!(await answers(configured))) throw new Error(`integration tests: REDIS_URL=${configured} does not answer`);
    return () => undefined;
  }
  if (await answers(DEFAULT_URL)) {
    process.env.REDIS_URL = DEFAULT_URL;
    return () => undefined;
  }
  if (spawnSync('redis-server', ['--version']).error) {
    throw new Error(
      'integration tests need Redis: none answers on 127.0.0.1:6379 and redis-server is not installed ' +
        '(install it, e.g. apt-get install redis-server, or set REDIS_URL)',
    );
  }
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  await waitFor(() => answers(url), { timeoutMs: 10_000, what: `a private redis-server on port ${port}` });
  process.env.REDIS_URL = url;
  process.stdout.write(`integration tests: no Redis on 127.0.0.1:6379, started a private one at ${url}\n`);
  return () => child.kill();
}
