// Command-line options of the launcher.
import { parseArgs } from 'node:util';
import { DEFAULT_BASE_PORT } from '../services/lib/topology.js';

export const USAGE = `usage: node demo/run.mjs [options]   (pnpm demo runs it after a build)

  --instances N     instances of every service (1-9, default 1)
  --base-port P     port of the first gateway instance; the others follow (default ${DEFAULT_BASE_PORT})
  --mode M          how the services are traced: full, probe-only, or mixed (gateway, recorder
                    and notifier full, the others probe-only). Default: the drop-in's own
                    (probe-only, or full when OTEL_EXPORTER_OTLP_ENDPOINT is set)
  --no-oamserver    start the services only
  --verbose         services log one JSON line per request, shown here with their name
  --help            this text

environment (see demo/README.md):
  <SERVICE>_FAULT_LATENCY_MS=400 ...   start-time faults of every instance of a service
  <SERVICE>_CLOCK_OFFSET=+30s          run every instance of a service with its wall clock shifted
  <SERVICE>_<N>_CLOCK_OFFSET=-2s       the same, for instance N only   (needs faketime)`;

/** What `--mode` takes: the drop-in's two modes, or a mix of them over the services. */
export const LAUNCHER_MODES = ['full', 'probe-only', 'mixed'];

/** A usage error: printed with the usage, exit code 2. */
export class UsageError extends Error {}

function integer(name, raw, min, max) {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
  }
  return value;
}

/**
 * Parses argv (without node and the script). Throws UsageError on anything unknown or out of range.
 * A leading `--` is dropped: `pnpm demo -- --instances 3` passes it on to the script literally.
 */
export function parseLauncherArgs(argv, env) {
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        instances: { type: 'string', default: '1' },
        'base-port': { type: 'string', default: String(DEFAULT_BASE_PORT) },
        mode: { type: 'string' },
        'no-oamserver': { type: 'boolean', default: false },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new UsageError(error.message);
  }
  if (parsed.mode !== undefined && !LAUNCHER_MODES.includes(parsed.mode)) {
    throw new UsageError(`--mode must be one of ${LAUNCHER_MODES.join(', ')} (got "${parsed.mode}")`);
  }
  return {
    help: parsed.help,
    mode: parsed.mode,
    instances: integer('instances', parsed.instances, 1, 9),
    // Leave room for every instance of every service above the base port.
    basePort: integer('base-port', parsed['base-port'], 1024, 65_000),
    oamserver: !parsed['no-oamserver'],
    verbose: parsed.verbose || env.DEMO_VERBOSE === '1',
  };
}
