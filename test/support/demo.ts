import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rewriteProbeConfig } from '@hoptrace/demo/probe-config';
import { writeConfig } from './oamserver';
import { freePortRange } from './ports';
import { TEST_SECRET } from './probe';
import { REDIS_URL } from './redis';
import { waitFor } from './wait';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DEMO_SERVICES = ['gateway', 'mailbox', 'recorder', 'storage', 'retrieval', 'notifier', 'call-edge'] as const;

/** A service of the demo. */
export type DemoService = (typeof DEMO_SERVICES)[number];

/** The demo platform, started by its launcher as `pnpm demo` does, without the Oamserver. */
export interface RunningDemo {
  /** Base URL of each instance, by service (instance n at index n-1). */
  readonly urls: Record<DemoService, string[]>;
  /** demo/probes.yaml, rewritten for this demo's gateway and key prefix. */
  readonly configFile: string;
  output(): string;
  stop(): Promise<void>;
}

/** Options of `startDemo`. */
export interface DemoOptions {
  instances?: number;
  /** The launcher's `--mode` (how the services are traced); unset: the drop-in's default. */
  mode?: 'full' | 'probe-only' | 'mixed';
  env?: Record<string, string>;
}

/**
 * Starts the demo launcher with `--no-oamserver` on free ports, with hop records under `prefix`
 * and the platform's own keys under `<prefix>vm:` (so cleanup finds them and a demo running on
 * the same Redis is not touched). Extra environment (e.g. start-time faults) goes to the launcher.
 */
export async function startDemo(prefix: string, options: DemoOptions = {}): Promise<RunningDemo> {
  // Ports found free can be taken by another process before the services bind them (other
  // suites, other demos on the machine): try another range then.
  for (let attempt = 1; ; attempt++) {
    const basePort = await freePortRange(DEMO_SERVICES.length * (options.instances ?? 1));
    try {
      return await launchDemo(prefix, options, basePort);
    } catch (error) {
      const portTaken = /cannot listen on .*EADDRINUSE|port\(s\) in use/.test((error as Error).message);
      if (!portTaken || attempt >= 3) throw error;
    }
  }
}

async function launchDemo(prefix: string, options: DemoOptions, basePort: number): Promise<RunningDemo> {
  const instances = options.instances ?? 1;
  const launcher: ChildProcess = spawn(
    process.execPath,
    [
      join(REPO, 'demo', 'run.mjs'),
      '--no-oamserver',
      '--base-port',
      String(basePort),
      '--instances',
      String(instances),
      ...(options.mode ? ['--mode', options.mode] : []),
    ],
    {
      cwd: REPO,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        REDIS_URL,
        HOPTRACE_SECRET: TEST_SECRET,
        HOPTRACE_KEY_PREFIX: prefix,
        VM_KEY_PREFIX: `${prefix}vm:`,
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  launcher.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  launcher.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const stop = async (): Promise<void> => {
    if (launcher.exitCode !== null || launcher.signalCode !== null) return;
    const exited = new Promise((resolve) => launcher.once('exit', resolve));
    launcher.kill('SIGTERM');
    await exited;
  };
  try {
    // Stop waiting as soon as the launcher gives up (waitFor retries a check that throws).
    await waitFor(() => output.includes('demo is up') || launcher.exitCode !== null, {
      timeoutMs: 90_000,
      intervalMs: 100,
      what: 'the demo launcher',
    });
    if (!output.includes('demo is up')) throw new Error(`the launcher exited with ${launcher.exitCode}`);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${output}`, { cause: error });
  }
  // The launcher's table: "  <service>  <service>-<n>  http://127.0.0.1:<port>", and a clock
  // offset column when some instance runs with a shifted clock.
  const urls = Object.fromEntries(DEMO_SERVICES.map((s) => [s, [] as string[]])) as Record<DemoService, string[]>;
  for (const [, service, n, url] of output.matchAll(/^ {2}([\w-]+) +\1-(\d+) +(http:\S+)(?: +\S+)?$/gm)) {
    urls[service as DemoService][Number(n) - 1] = url!;
  }
  // The launcher's way: gateway URL, the call edge's SIP target (UDP, same port number as its
  // HTTP one) and plugin paths made absolute, since the copy lives in a temporary folder.
  const callEdge = urls['call-edge'][0];
  const configFile = writeConfig(
    rewriteProbeConfig(readFileSync(join(REPO, 'demo', 'probes.yaml'), 'utf8'), {
      demoDir: join(REPO, 'demo'),
      gatewayUrl: urls.gateway[0]!,
      ...(callEdge ? { sipTarget: new URL(callEdge).host } : {}),
      keyPrefix: prefix,
    }),
  );
  return { urls, configFile, output: () => output, stop };
}

/** Sets (or, with undefined, clears) the faults of one demo instance through its admin endpoint. */
export async function setFaults(instanceUrl: string, faults: Record<string, unknown> | undefined): Promise<void> {
  const res = await fetch(`${instanceUrl}/admin/faults`, {
    method: faults ? 'PUT' : 'DELETE',
    headers: { 'content-type': 'application/json' },
    body: faults ? JSON.stringify(faults) : undefined,
  });
  if (!res.ok) throw new Error(`setting faults on ${instanceUrl} answered ${res.status}: ${await res.text()}`);
}
