#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { ConfigError, HoptraceError } from '@hoptrace/core';
import { incidentsCommand } from './commands/incidents';
import { probeCommand } from './commands/probe';
import { reportCommand } from './commands/report';
import { runsCommand } from './commands/runs';
import { serveCommand } from './commands/serve';
import { validateCommand } from './commands/validate';
import { readApiToken, readEnvironment } from './environment';
import { CliError, EXIT } from './exit-codes';
import { DEFAULT_SERVER } from './server-client';

const env = readEnvironment();
const server = env.server ?? DEFAULT_SERVER;
let exitCode: number = EXIT.OK;

const program = new Command()
  .name('hoptrace')
  .description('Synthetic probes through real business flows, traced hop by hop.')
  .showHelpAfterError()
  .exitOverride();

program
  .command('serve')
  .description('run the Oamserver: fire probes on schedule, classify runs, serve the API (default 127.0.0.1:4400)')
  .requiredOption('-c, --config <file>', 'probe config (YAML)')
  .option('-p, --port <n>', 'port to listen on (default: config server.port, 4400)')
  .option('--host <host>', 'address to listen on (default: config server.host, 127.0.0.1)')
  .action(async (options: { config: string; port?: string; host?: string }) => {
    exitCode = await serveCommand(options, env);
  });

program
  .command('probe')
  .description(
    'fire one run of a probe (or --all: every enabled probe once) now, wait for the verdicts and print them (exit 0 ok, 1 a fault, 2 usage, 3 unknown)',
  )
  .argument('[name]', 'probe name (or --all)')
  .requiredOption('-c, --config <file>', 'probe config (YAML)')
  .option('-a, --all', 'every enabled probe once, a few at a time; the exit code is the worst verdict')
  .option('--junit <file>', 'also write the verdicts as JUnit XML (a fault is a failure, unknown an error)')
  .option('--json', 'print each run as JSON (one per line)')
  .action(
    async (name: string | undefined, options: { config: string; json?: boolean; all?: boolean; junit?: string }) => {
      exitCode = await probeCommand(name, options, env);
    },
  );

program
  .command('runs')
  .description('list recent runs from a running Oamserver')
  .option('--server <url>', 'Oamserver URL (or HOPTRACE_SERVER)', server)
  .option('--probe <name>', 'only this probe')
  .option('--verdict <verdict>', 'only runs with this verdict')
  .option('-n, --limit <n>', 'how many', '20')
  .option('--run <runId>', 'show one run in full')
  .option('--json', 'print JSON')
  .action(
    async (options: {
      server: string;
      probe?: string;
      verdict?: string;
      limit: string;
      run?: string;
      json?: boolean;
    }) => {
      exitCode = await runsCommand({ ...options, token: readApiToken(env) });
    },
  );

program
  .command('report')
  .description('health per probe, service and instance from a running Oamserver')
  .option('--server <url>', 'Oamserver URL (or HOPTRACE_SERVER)', server)
  .option('-w, --window <window>', 'window: 1m, 15m or 1h', '15m')
  .option('--json', 'print JSON')
  .action(async (options: { server: string; window: string; json?: boolean }) => {
    exitCode = await reportCommand({ ...options, token: readApiToken(env) });
  });

program
  .command('incidents')
  .description(
    'open incidents (and with --all, recent ones) from a running Oamserver: where, since when, how many runs',
  )
  .option('--server <url>', 'Oamserver URL (or HOPTRACE_SERVER)', server)
  .option('-a, --all', 'recent resolved incidents too')
  .option('-n, --limit <n>', 'how many', '50')
  .option('--json', 'print JSON')
  .option('--fail-on-open', 'exit 1 when an incident is open (for CI gates and cron checks)')
  .action(async (options: { server: string; all?: boolean; limit: string; json?: boolean; failOnOpen?: boolean }) => {
    exitCode = await incidentsCommand({ ...options, token: readApiToken(env) });
  });

program
  .command('validate')
  .description('check a probe config and list every problem with its path and line (exit 0 valid, 2 invalid)')
  .argument('<file>', 'probe config (YAML)')
  .option('--json', 'print JSON')
  .action(async (file: string, options: { json?: boolean }) => {
    exitCode = await validateCommand(file, options);
  });

async function main(): Promise<void> {
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      exitCode = error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    } else if (error instanceof ConfigError || error instanceof HoptraceError) {
      // Configuration problems (a bad config file, a malformed HOPTRACE_SECRET or REDIS_URL).
      process.stderr.write(`hoptrace: ${error.message}\n`);
      exitCode = EXIT.USAGE;
    } else if (error instanceof CliError) {
      process.stderr.write(`hoptrace: ${error.message}\n`);
      exitCode = error.exitCode;
    } else {
      process.stderr.write(
        `hoptrace: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      exitCode = EXIT.USAGE;
    }
  }
  process.exitCode = exitCode;
}

void main();
