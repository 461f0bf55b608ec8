import { dirname, join } from 'node:path';
import pino from 'pino';
import { createAlertDispatcher } from '../../alerts/create-alert-dispatcher';
import { loadProbeConfig } from '../../config/load-probe-config';
import { logConsumer } from '../../pipeline/verdict-consumers';
import { findDashboard } from '../../http/dashboard-static';
import { Oamserver } from '../../oamserver';
import { readApiToken, requireOtlpProtocol, requireSecret, type CliEnvironment } from '../environment';
import { CliError } from '../exit-codes';

/** The build folder of the installed @hoptrace/dashboard, when it is installed. */
function installedDashboardDir(): string | undefined {
  try {
    return join(dirname(require.resolve('@hoptrace/dashboard/package.json')), 'dist');
  } catch {
    return undefined;
  }
}

/** `hoptrace serve --config FILE`: the long-running Oamserver. Resolves when it has stopped (SIGINT/SIGTERM). */
export async function serveCommand(
  options: { config: string; port?: string; host?: string },
  env: CliEnvironment,
): Promise<number> {
  // Environment first: a bad value stops the command before anything starts.
  const otlpProtocol = requireOtlpProtocol(env);
  const apiToken = readApiToken(env);
  const config = await loadProbeConfig(options.config);
  const port = options.port === undefined ? undefined : Number(options.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65_535)) {
    throw new CliError(`--port must be a port number, got "${options.port}"`);
  }
  const level = process.env.HOPTRACE_LOG_LEVEL ?? 'info';
  if (!(level in pino.levels.values)) {
    throw new CliError(
      `HOPTRACE_LOG_LEVEL must be one of ${Object.keys(pino.levels.values).join(', ')}, got "${level}"`,
    );
  }
  const log = pino({ name: 'hoptrace-oamserver', level });
  // Webhook secrets come from the variables the config names (never from the file itself).
  const alerts = createAlertDispatcher(config.alerts, {
    env: (name) => process.env[name],
    log: (level, fields, message) => log[level](fields, message),
    warn: (message) => log.warn(message),
    source: options.config,
    plugins: config.plugins,
  });
  const dashboardDir = env.dashboardDir ?? installedDashboardDir();
  const dashboard = findDashboard(dashboardDir);
  const server = new Oamserver({
    dashboardDir,
    config,
    secret: requireSecret(env),
    redisUrl: env.redisUrl,
    otlpEndpoint: env.otlpEndpoint,
    otlpProtocol,
    serviceName: env.serviceName,
    jaegerUiUrl: env.jaegerUiUrl,
    host: options.host,
    port,
    warn: (message) => log.warn(message),
    info: (message) => log.info(message),
    alerts,
    apiToken,
  });
  server.core.pipeline.add(logConsumer(log));
  try {
    await server.start();
  } catch (error) {
    await server.stop().catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(
      code === 'EADDRINUSE'
        ? `cannot listen: port ${port ?? config.server.port} is in use (use --port)`
        : (error as Error).message,
    );
  }
  log.info(
    { url: server.url, probes: config.probes.map((p) => p.name) },
    `hoptrace Oamserver listening on ${server.url}`,
  );
  logAccess(log, server.url, apiToken !== undefined, config.server.metricsAuth === true);
  if ('missing' in dashboard) {
    log.warn(
      `dashboard not served (${dashboard.missing}): the API works; build the dashboard with \`pnpm build\` at the repository root, or set HOPTRACE_DASHBOARD_DIR`,
    );
  } else {
    log.info({ dir: dashboard.dir }, `dashboard at ${server.url}/`);
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  log.info('stopping');
  await server.stop();
  return 0;
}

/** Whether an address only this machine can reach. */
function isLoopback(address: string): boolean {
  return address === 'localhost' || address === '::1' || address.startsWith('127.') || address === '::ffff:127.0.0.1';
}

/** Says at start who can use the API: locked, open on loopback only, or open to a network (a warning). */
function logAccess(log: pino.Logger, url: string, locked: boolean, metricsAuth: boolean): void {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  if (locked) {
    log.info(`API locked: every /api/ route needs HOPTRACE_API_TOKEN (/metrics ${metricsAuth ? 'too' : 'stays open'})`);
  } else if (isLoopback(host)) {
    log.info(`API open (no HOPTRACE_API_TOKEN), listening on ${host} only`);
  } else {
    log.warn(
      `API open (no HOPTRACE_API_TOKEN) and listening on ${host}: anyone who can reach this address can read every run and fire probes; set HOPTRACE_API_TOKEN or listen on 127.0.0.1`,
    );
  }
}
