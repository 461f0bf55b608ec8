import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Verdict } from '../../classifier/types';
import { loadProbeConfig } from '../../config/load-probe-config';
import type { ProbeDefinition } from '../../config/probe-config-schema';
import { resultView } from '../../http/run-view';
import { createOamCore, type OamCore } from '../../oam-core';
import { runLengthMs } from '../../runner/probe-runner';
import { formatPath } from '../../classifier/expected-path';
import { requireOtlpProtocol, requireSecret, type CliEnvironment } from '../environment';
import { CliError, EXIT, exitCodeOf } from '../exit-codes';
import { formatRun } from '../format-run';
import { junitReport, type ProbeOutcome } from '../junit-report';
import { summarizeResult } from '../../store/run-summary';

/** Probes fired at once by `--all`: enough to finish a large config quickly, few enough not to flood the platform. */
const ALL_CONCURRENCY = 8;

/** Options of `hoptrace probe`. */
export interface ProbeCommandOptions {
  config: string;
  json?: boolean;
  /** Every enabled probe once, instead of one by name. */
  all?: boolean;
  /** Where to write a JUnit XML report. */
  junit?: string;
}

/**
 * `hoptrace probe NAME --config FILE`: fires one run now, waits for its verdict, prints it.
 * `hoptrace probe --all --config FILE [--junit FILE]`: every enabled probe once (a few at a time),
 * each verdict printed as it comes, a JUnit report if asked; the exit code is the worst verdict's
 * (a fault, then unknown, then ok). Runs its own collector for these runs only (no server needed).
 */
export async function probeCommand(
  name: string | undefined,
  options: ProbeCommandOptions,
  env: CliEnvironment,
): Promise<number> {
  if (options.all && name) throw new CliError(`give a probe name or --all, not both`);
  if (!options.all && !name) throw new CliError(`give a probe name, or --all for every probe`);
  // Environment first: a bad value stops the command before anything starts.
  const otlpProtocol = requireOtlpProtocol(env);
  const config = await loadProbeConfig(options.config);
  const probes = options.all ? config.probes : [findProbe(config.probes, name!, options.config)];
  const core = createOamCore({
    config,
    secret: requireSecret(env),
    redisUrl: env.redisUrl,
    otlpEndpoint: env.otlpEndpoint,
    otlpProtocol,
    serviceName: env.serviceName,
    warn: (message) => process.stderr.write(`hoptrace: ${message}\n`),
    // Only these runs: a server (or another `hoptrace probe`) classifies the others.
    collector: { scope: 'own' },
  });
  try {
    // Collect from the start: the collector also watches storage while runs are in flight,
    // so an outage during a run is noticed (and turns missing hops into `unknown`).
    core.collector.start();
    const outcomes = await mapLimit(probes, ALL_CONCURRENCY, async (probe): Promise<ProbeOutcome> => {
      if (!probe.enabled && options.all) return { probe: probe.name, disabled: true };
      const outcome = await probeOnce(core, probe, env, options);
      if (outcome.view) process.stdout.write(options.json ? `${JSON.stringify(outcome.view)}\n` : `${outcome.text}\n`);
      else process.stderr.write(`hoptrace: ${probe.name}: ${outcome.problem}\n`);
      return outcome;
    });
    if (options.junit) {
      await writeFile(options.junit, junitReport(`hoptrace ${basename(options.config)}`, outcomes, new Date()));
    }
    if (!options.all && !outcomes[0]?.view) throw new CliError(outcomes[0]?.problem ?? 'no verdict', EXIT.UNKNOWN);
    return worstExitCode(outcomes.filter((o) => !o.disabled).map((o) => o.view?.verdict));
  } finally {
    await core.close();
  }
}

function findProbe(probes: readonly ProbeDefinition[], name: string, file: string): ProbeDefinition {
  const probe = probes.find((p) => p.name === name);
  if (probe) return probe;
  throw new CliError(`no probe named "${name}" in ${file} (it has: ${probes.map((p) => p.name).join(', ')})`);
}

/** Fires one run of `probe` and waits for its verdict. Never throws: a problem is the outcome's. */
async function probeOnce(
  core: OamCore,
  probe: ProbeDefinition,
  env: CliEnvironment,
  options: ProbeCommandOptions,
): Promise<ProbeOutcome> {
  if (!options.json)
    process.stderr.write(
      probe.journey
        ? `firing ${probe.name} (a journey of ${probe.steps.length} steps: ${probe.steps.map((s) => s.name).join(' → ')})...\n`
        : `firing ${probe.name} (path ${formatPath(probe.path)}, timeout ${probe.timeout} ms)...\n`,
    );
  try {
    const fired = await core.runner.fire(probe);
    const waiting = core.collector.waitForResult(fired.run.runId, runLengthMs(probe) + 15_000);
    core.collector.track(fired);
    const result = await waiting;
    if (!result) return { probe: probe.name, problem: `no verdict for run ${fired.run.runId} in time` };
    const view = resultView(result, env.jaegerUiUrl);
    return { probe: probe.name, view, totalMs: summarizeResult(result).totalMs, text: formatRun(view) };
  } catch (error) {
    return { probe: probe.name, problem: `could not fire: ${(error as Error).message}` };
  }
}

/** The exit code of several verdicts: a fault if any, else unknown if any (or a missing verdict), else ok. */
export function worstExitCode(verdicts: readonly (Verdict | undefined)[]): number {
  const codes = verdicts.map(exitCodeOf);
  if (codes.includes(EXIT.FAULT)) return EXIT.FAULT;
  if (codes.includes(EXIT.UNKNOWN)) return EXIT.UNKNOWN;
  return EXIT.OK;
}

/** `fn` over `items`, at most `limit` at a time, results in the items' order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
