// Starting the Oamserver (@hoptrace/oamserver, CLI `hoptrace`) next to the services.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const OAMSERVER_HOST = '127.0.0.1';
export const OAMSERVER_PORT = 4400;
export const OAMSERVER_URL = `http://${OAMSERVER_HOST}:${OAMSERVER_PORT}`;

/** The built CLI, or undefined when the Oamserver is not built (yet). */
export function oamserverCli(repoDir) {
  const cli = join(repoDir, 'packages', 'oamserver', 'dist', 'cli', 'main.js');
  return existsSync(cli) ? cli : undefined;
}

/** Arguments and environment of `hoptrace serve` for this demo run. */
export function oamserverCommand({ cli, configPath, env, redisUrl, secret }) {
  return {
    name: 'oamserver',
    args: [cli, 'serve', '--config', configPath, '--port', String(OAMSERVER_PORT), '--host', OAMSERVER_HOST],
    // The launcher's environment goes through as it is (JAEGER_UI_URL, OTEL_*, HOPTRACE_KEY_PREFIX),
    // with the Redis and the secret the services use.
    env: { ...env, REDIS_URL: redisUrl, HOPTRACE_SECRET: secret },
  };
}
