import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './ports';
import { sleep, waitFor } from './wait';

/** A private redis-server the test owns: it can stop, pause (SIGSTOP) and restart it. */
export interface PrivateRedis {
  readonly port: number;
  readonly url: string;
  /** SIGSTOP: the server hangs, connections stay open (a hung or partitioned Redis). */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
  /** Kills the server (connections refused until start()). */
  kill(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  /** Kills it for good and removes its folder. */
  stop(): Promise<void>;
}

/** Starts `redis-server` on a free port, with nothing kept on disk. */
export async function startPrivateRedis(extraArgs: string[] = []): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'hoptrace-redis-'));
  let child: ChildProcess | undefined;
  const url = `redis://127.0.0.1:${port}`;

  const start = async (): Promise<void> => {
    if (spawnSync('redis-server', ['--version']).error) {
      throw new Error(
        'this test starts its own redis-server, which is not installed (Debian/Ubuntu: sudo apt-get install redis-server)',
      );
    }
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extraArgs],
      { stdio: 'ignore' },
    );
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined); // refused until the server is up: expected while polling
    try {
      await waitFor(
        async () => {
          await probe.connect().catch(() => undefined);
          return (await probe.ping()) === 'PONG';
        },
        { timeoutMs: 10_000, what: `redis-server on port ${port}` },
      );
    } finally {
      probe.disconnect();
    }
  };
  const kill = async (): Promise<void> => {
    const running = child;
    if (!running || running.exitCode !== null) return;
    running.kill('SIGCONT');
    running.kill('SIGKILL');
    await new Promise<void>((resolve) => running.once('exit', () => resolve()));
    await sleep(50);
  };
  await start();
  return {
    port,
    url,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    kill,
    start,
    stop: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
