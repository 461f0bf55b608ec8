// Command-line options of bench/time-to-detect.mjs.

export const TTD_USAGE = `usage: node bench/time-to-detect.mjs [options]   (after pnpm build)
  --interval D      how often the probe fires: 1s, 10s, 1500ms, or a number of seconds (default 1s)
  --open-after N    incidents.openAfter: faulty visits in a row that open an incident (default 2)
  --trials N        fault / detect / heal cycles (default 10)
  --resolve-after N incidents.resolveAfter (default 3)
  --out FILE        where to write the JSON result
                    (default bench/results/time-to-detect-<interval>-<openAfter>.json)
  --help            this text

Starts the voicemail demo (3 instances of every service, no Oamserver of its own) and an
Oamserver with one probe, deposit-voicemail; each trial makes recorder-2 slow (latencyMs 400) at a
random moment and times how long the Oamserver takes to open an incident for it, then heals it
and times the resolution. See docs/time-to-detect.md.`;

function positiveInt(name, raw) {
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} needs a positive whole number, got "${raw}"`);
  return value;
}

/** `1s`, `10s`, `1500ms`, `2m` or a bare number of seconds, in ms; at least 1 s (the probe config's minimum). */
export function parseIntervalMs(raw) {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(String(raw).trim());
  if (!match) throw new Error(`--interval needs a duration like 1s, 10s or 1500ms, got "${raw}"`);
  const unit = { ms: 1, s: 1000, m: 60_000 }[match[2] ?? 's'];
  const ms = Math.round(Number(match[1]) * unit);
  if (ms < 1000) throw new Error(`--interval must be at least 1s (the probe config's minimum), got "${raw}"`);
  return ms;
}

/** How an interval is written in file names and the probe config: `1s`, `10s`, `1500ms`. */
export function intervalLabel(ms) {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** Parses argv (without node and the script). Throws an Error with a message for the user. */
export function parseTtdArgs(argv) {
  const options = { intervalMs: 1000, openAfter: 2, trials: 10, resolveAfter: 3, out: undefined, help: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s);
    if (flag === '--') continue;
    if (flag === '--help' || flag === '-h') {
      options.help = true;
      continue;
    }
    if (!['--interval', '--open-after', '--trials', '--resolve-after', '--out'].includes(flag)) {
      throw new Error(`unknown option "${argv[i]}"`);
    }
    const raw = inline ?? argv[++i];
    if (raw === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--interval') options.intervalMs = parseIntervalMs(raw);
    else if (flag === '--open-after') options.openAfter = positiveInt(flag, raw);
    else if (flag === '--trials') options.trials = positiveInt(flag, raw);
    else if (flag === '--resolve-after') options.resolveAfter = positiveInt(flag, raw);
    else options.out = raw;
  }
  if (options.openAfter > 100 || options.resolveAfter > 100) throw new Error('openAfter and resolveAfter go up to 100');
  return options;
}
