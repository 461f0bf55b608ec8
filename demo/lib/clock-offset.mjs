// Hosts with a wrong clock, for trying the Oamserver's clock-skew handling: a service (all its
// instances, or one) can run with its wall clock shifted by libfaketime (`faketime`). Only the
// wall clock moves; the monotonic clock, which OpenTelemetry uses for span durations, stays true,
// as it does on a real host whose NTP is off.
import { spawnSync } from 'node:child_process';
import { SERVICES } from '../services/lib/topology.js';

/** `+30s`, `-2s`, `+5m`, `-1h`: a sign, a whole number, a unit (what `faketime -f` takes as an offset). */
const OFFSET_PATTERN = /^[+-]\d+[smh]$/;

/**
 * `NOTIFIER_CLOCK_OFFSET` (every notifier instance) or `NOTIFIER_2_CLOCK_OFFSET` (notifier-2 only);
 * `CALL_EDGE_CLOCK_OFFSET` for a service whose name has a dash.
 */
const VARIABLE_PATTERN = /^([A-Z]+(?:_[A-Z]+)*?)(?:_(\d+))?_CLOCK_OFFSET$/;

/** A clock offset variable that is unusable. */
export class ClockOffsetError extends Error {}

/** Parses `[+-]N[smh]` into `{ text }`, or returns undefined when `raw` is not of that form. */
export function parseClockOffset(raw) {
  const text = raw.trim();
  return OFFSET_PATTERN.test(text) ? { text } : undefined;
}

/**
 * The clock offset of every instance that has one, by instance id, from the launcher's
 * environment. A per-instance variable wins over its service's. Returns `{ offsets, variables,
 * notes }` (`variables`: the names that set an offset); throws ClockOffsetError listing every
 * unusable variable (each named) at once.
 */
export function clockOffsets(env, plan) {
  const problems = [];
  const notes = [];
  const byService = new Map();
  const byInstance = new Map();
  const variables = [];
  for (const [name, raw] of Object.entries(env)) {
    if (raw === undefined) continue;
    if (name === 'CLOCK_OFFSET') {
      notes.push(`${name} is ignored by the launcher; set it per service, e.g. NOTIFIER_${name}`);
      continue;
    }
    const match = VARIABLE_PATTERN.exec(name);
    if (!match) continue;
    const service = match[1].toLowerCase().replaceAll('_', '-');
    const n = match[2] === undefined ? undefined : Number(match[2]);
    if (!SERVICES.includes(service)) {
      // Not ours to reject (the environment may hold anything), but a typo should not pass silently.
      notes.push(`${name} names no service of the demo (${SERVICES.join(', ')}); ignored`);
      continue;
    }
    const offset = parseClockOffset(raw);
    if (!offset) {
      problems.push(`${name} must be a sign, a whole number and s, m or h, e.g. +30s or -2s (got "${raw}")`);
      continue;
    }
    if (n === undefined) byService.set(service, offset);
    else if (plan.some((i) => i.id === `${service}-${n}`)) byInstance.set(`${service}-${n}`, offset);
    else {
      const count = plan.filter((i) => i.service === service).length;
      problems.push(
        `${name} names ${service}-${n}, but the demo runs ${count} ${service} instance(s) (see --instances)`,
      );
      continue;
    }
    variables.push(name);
  }
  if (problems.length > 0) throw new ClockOffsetError(problems.join('\n'));
  const offsets = new Map();
  for (const instance of plan) {
    const offset = byInstance.get(instance.id) ?? byService.get(instance.service);
    if (offset) offsets.set(instance.id, offset);
  }
  return { offsets, variables, notes };
}

/** Whether the `faketime` command (libfaketime) can be run. */
export function faketimeInstalled() {
  return !spawnSync('faketime', ['--version'], { stdio: 'ignore' }).error;
}

/** What to say when an offset is asked for and faketime is missing. */
export function faketimeMissingMessage(variables) {
  return (
    `${variables.join(', ')}: a shifted clock needs faketime (libfaketime), which is not installed.\n` +
    '  Install it:  Debian/Ubuntu: sudo apt-get install faketime    macOS: brew install libfaketime\n' +
    '  or start the demo without the *_CLOCK_OFFSET variables'
  );
}

// `faketime` forks the program and waits for it, but does not pass signals on: a SIGTERM would
// kill the wrapper and leave the service running. So the wrapper ignores INT and TERM (an ignored
// signal stays ignored across exec; Node resets its own dispositions at start), and the launcher
// signals the whole process group: the service gets the signal, stops cleanly, and faketime exits
// with its exit code.
const WRAPPER_SCRIPT = 'trap "" INT TERM; offset=$1; shift; exec faketime -f "$offset" "$@"';

/**
 * `node <args>` run under faketime with the wall clock shifted by `offset`:
 * `{ command, args, env, ownProcessGroup }` for the Supervisor.
 */
export function withClockOffset(offset, { args, env }) {
  return {
    command: '/bin/sh',
    args: ['-c', WRAPPER_SCRIPT, 'faketime-wrapper', offset.text, process.execPath, ...args],
    // Only the wall clock: a faked monotonic clock would make durations and timers wrong.
    env: { ...env, FAKETIME_DONT_FAKE_MONOTONIC: '1' },
    ownProcessGroup: true,
  };
}
