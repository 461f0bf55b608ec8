import { loadProbeConfig } from '../../config/load-probe-config';
import { resultView } from '../../http/run-view';
import { createOamCore } from '../../oam-core';
import { runLengthMs } from '../../runner/probe-runner';
import { formatPath } from '../../classifier/expected-path';
import { requireOtlpProtocol, requireSecret, type CliEnvironment } from '../environment';
import { CliError, EXIT, exitCodeOf } from '../exit-codes';
import { formatRun } from '../format-run';

/**
 * `hoptrace probe NAME --config FILE`: fires one run now, waits for its verdict, prints it.
 * Runs its own collector for this run only (no server needed).
 */
export async function probeCommand(
  name: string,
  options: { config: string; json?: boolean },
  env: CliEnvironment,
): Promise<number> {
  // Environment first: a bad value stops the command before anything starts.
  const otlpProtocol = requireOtlpProtocol(env);
  const config = await loadProbeConfig(options.config);
  const probe = config.probes.find((p) => p.name === name);
  if (!probe) {
    throw new CliError(
      `no probe named "${name}" in ${options.config} (it has: ${config.probes.map((p) => p.name).join(', ')})`,
    );
  }
  const core = createOamCore({
    config,
    secret: requireSecret(env),
    redisUrl: env.redisUrl,
    otlpEndpoint: env.otlpEndpoint,
    otlpProtocol,
    serviceName: env.serviceName,
    warn: (message) => process.stderr.write(`hoptrace: ${message}\n`),
    // Only this run: a server (or another `hoptrace probe`) classifies the others.
    collector: { scope: 'own' },
  });
  try {
    if (!options.json)
      process.stderr.write(
        probe.journey
          ? `firing ${probe.name} (a journey of ${probe.steps.length} steps: ${probe.steps.map((s) => s.name).join(' → ')})...\n`
          : `firing ${probe.name} (path ${formatPath(probe.path)}, timeout ${probe.timeout} ms)...\n`,
      );
    // Collect from the start: the collector also watches storage while the run is in flight,
    // so an outage during the run is noticed (and turns missing hops into `unknown`).
    core.collector.start();
    const fired = await core.runner.fire(probe);
    const waiting = core.collector.waitForResult(fired.run.runId, runLengthMs(probe) + 15_000);
    core.collector.track(fired);
    const result = await waiting;
    if (!result) throw new CliError(`no verdict for run ${fired.run.runId} in time`, EXIT.UNKNOWN);
    const view = resultView(result, env.jaegerUiUrl);
    process.stdout.write(options.json ? `${JSON.stringify(view)}\n` : `${formatRun(view)}\n`);
    return exitCodeOf(result.verdict);
  } finally {
    await core.close();
  }
}
