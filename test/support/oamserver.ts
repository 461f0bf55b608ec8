import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports';
import { TEST_SECRET } from './probe';
import { REDIS_URL } from './redis';
import { waitFor } from './wait';
import type { RunView } from '@hoptrace/oamserver';

/** The `hoptrace` CLI, as built. */
export const HOPTRACE_CLI = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'packages',
  'oamserver',
  'dist',
  'cli',
  'main.js',
);

/** Writes a probe config to a fresh temporary file and returns its path. */
export function writeConfig(yaml: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'hoptrace-config-')), 'probes.yaml');
  writeFileSync(file, yaml);
  return file;
}

/** The environment the CLI runs with in tests: the test Redis and secret, plus `extra`. */
export function cliEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NO_COLOR: '1',
    REDIS_URL,
    HOPTRACE_SECRET: TEST_SECRET,
    ...extra,
  };
}

/** Runs `hoptrace <args>` to completion. */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = cliEnv(),
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [HOPTRACE_CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A run as `hoptrace probe --json` prints it, with its fault when it has one. */
export type ProbedRun = RunView & { fault?: NonNullable<RunView['fault']> };

/**
 * `hoptrace probe <name> --config <config> --json`: the exit code and the run it printed. Fails
 * the test with the CLI's output when it printed no JSON.
 */
export async function probeOnce(
  config: string,
  name: string,
  env: NodeJS.ProcessEnv = cliEnv(),
): Promise<{ code: number | null; view: ProbedRun }> {
  const { code, stdout, stderr } = await runCli(['probe', name, '--config', config, '--json'], env);
  try {
    return { code, view: JSON.parse(stdout) as ProbedRun };
  } catch {
    throw new Error(`hoptrace probe ${name} printed no JSON (exit ${code}):\n${stdout}\n${stderr}`);
  }
}

/** A `hoptrace serve` running as a child process. */
export interface RunningOamserver {
  readonly url: string;
  readonly process: ChildProcess;
  output(): string;
  /** SIGTERM and wait. */
  stop(): Promise<void>;
  /** SIGKILL: a crash, nothing flushed. */
  kill(): Promise<void>;
}

/**
 * Starts `hoptrace serve --config FILE` on a free port and waits until it answers /healthz. `cli`:
 * another build of the CLI's main.js (a deployed package).
 */
export async function startOamserver(
  configFile: string,
  env: NodeJS.ProcessEnv = cliEnv(),
  cli: string = HOPTRACE_CLI,
): Promise<RunningOamserver> {
  const port = await freePort();
  const child = spawn(process.execPath, [cli, 'serve', '--config', configFile, '--port', String(port)], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`hoptrace serve exited with ${child.exitCode}:\n${output}`);
      return (await fetch(`${url}/healthz`)).ok;
    },
    { timeoutMs: 15_000, what: 'the Oamserver to answer /healthz' },
  );
  const ended = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url,
    process: child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await ended;
    },
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await ended;
    },
  };
}

/** The count of `hoptrace_probe_runs_total` for a probe, summed over verdicts, from /metrics. */
export async function runsCounted(url: string, probe: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const counts: Record<string, number> = {};
  for (const match of text.matchAll(/^hoptrace_probe_runs_total\{probe="([^"]+)",verdict="([^"]+)"\} (\d+)/gm)) {
    if (match[1] === probe && Number(match[3]) > 0) counts[match[2]!] = Number(match[3]);
  }
  return counts;
}
