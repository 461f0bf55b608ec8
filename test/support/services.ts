import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HoptraceStats } from '@hoptrace/instrument';
import { TEST_SECRET } from './probe';
import { REDIS_URL } from './redis';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

/** The fixture apps: plain JavaScript Express and Fastify services we did not build. */
export const FIXTURE_APPS = {
  /** Express 5, ES modules, started with `node --import @hoptrace/instrument/register app.js`. */
  'express5-esm': { dir: 'express5-esm', entry: 'app.js', flag: '--import' },
  /** Express 4, CommonJS, started with `node --require @hoptrace/instrument/register app.cjs`. */
  'express4-cjs': { dir: 'express4-cjs', entry: 'app.cjs', flag: '--require' },
  /** Fastify 5, ES modules, started with `node --import @hoptrace/instrument/register app.js`. */
  'fastify5-esm': { dir: 'fastify5-esm', entry: 'app.js', flag: '--import' },
  /**
   * A TCP line-protocol service (`<COMMAND> <traceparent> <baggage>` per line, answered `OK <id>` or
   * `ERR <reason>`), ES modules, using express5-esm's node_modules: each line is a hop through
   * `runInMessageContext`, which calls NEXT_URL with fetch. Its `url` is not HTTP: use its `port`.
   */
  'line-service': { dir: 'express5-esm', entry: 'line-service.js', flag: '--import' },
} as const;

/** A service running as a child process. */
export interface RunningService {
  readonly name: string;
  readonly port: number;
  readonly url: string;
  readonly process: ChildProcess;
  /** Everything the service wrote to stderr so far. */
  stderr(): string;
  /** Stops the service (SIGTERM, then SIGKILL after 3 s). */
  stop(): Promise<void>;
}

/**
 * Starts a fixture app the way a user starts a service: plain `node` with the drop-in flag,
 * configured only through its environment.
 */
export function startService(
  fixture: keyof typeof FIXTURE_APPS,
  options: { name: string; env?: Record<string, string | undefined> },
): Promise<RunningService> {
  const app = FIXTURE_APPS[fixture];
  return startNodeService({
    name: options.name,
    cwd: join(FIXTURES, app.dir),
    args: [app.flag, '@hoptrace/instrument/register', app.entry],
    env: options.env,
  });
}

/**
 * Starts `node <args>` in `cwd` as a service named `name` (this test's Node, the test Redis and
 * secret, brokers, PORT=0, then `env`) and waits for the `{"port": N}` line it prints.
 */
export function startNodeService(options: {
  name: string;
  cwd: string;
  args: string[];
  env?: Record<string, string | undefined>;
}): Promise<RunningService> {
  const child = spawn(process.execPath, options.args, {
    cwd: options.cwd,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      OTEL_SERVICE_NAME: options.name,
      HOPTRACE_SECRET: TEST_SECRET,
      REDIS_URL,
      // The brokers the tests use, when not the local defaults.
      ...(process.env.AMQP_URL ? { AMQP_URL: process.env.AMQP_URL } : {}),
      ...(process.env.NATS_URL ? { NATS_URL: process.env.NATS_URL } : {}),
      PORT: '0',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => fail(new Error(`service ${options.name} did not start within 15 s\n${stderr}`)),
      15_000,
    );
    const fail = (error: Error): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.once('exit', (code) =>
      fail(new Error(`service ${options.name} exited with ${code} before listening\n${stderr}`)),
    );
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n').find((l) => l.startsWith('{"port"'));
      if (!line) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      const port = (JSON.parse(line) as { port: number }).port;
      resolve({
        name: options.name,
        port,
        url: `http://127.0.0.1:${port}`,
        process: child,
        stderr: () => stderr,
        stop: () => stopChild(child),
      });
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** The drop-in's counters, as the fixture apps expose them (from `getInstrumentation().stats()`). */
export async function serviceStats(service: RunningService): Promise<HoptraceStats> {
  const res = await fetch(`${service.url}/_hoptrace/stats`);
  return (await res.json()) as HoptraceStats;
}
