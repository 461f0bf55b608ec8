// Fault injection, for the demo only: a fault applies to every request (or message) an instance
// handles, probe or not, as a real fault would. The state lives in memory, per instance; it is
// set at start from FAULT_* variables and changed through the admin endpoints (admin.js).

/** No fault at all. */
export const NO_FAULTS = Object.freeze({ latencyMs: 0, errorRate: 0, dropRate: 0, dropContext: false });

/** The longest injected latency: enough to blow any budget, short enough not to wedge a demo. */
export const MAX_LATENCY_MS = 60_000;

const KNOWN_KEYS = new Set(['latencyMs', 'errorRate', 'dropRate', 'crash', 'dropContext']);

/**
 * Checks a fault description (a PUT body). Returns `{ faults, crash, problems }`, where each
 * problem names its field. Missing fields mean "no such fault": a PUT replaces the whole set.
 */
export function parseFaults(input, { supportsDropContext }) {
  const problems = [];
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return { faults: NO_FAULTS, crash: false, problems: ['the body must be a JSON object'] };
  }
  for (const key of Object.keys(input)) {
    if (!KNOWN_KEYS.has(key)) problems.push(`${key}: unknown fault (use ${[...KNOWN_KEYS].join(', ')})`);
  }
  const number = (key, max) => {
    const value = input[key] ?? 0;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max) {
      problems.push(`${key}: must be a number from 0 to ${max}`);
      return 0;
    }
    return value;
  };
  const flag = (key) => {
    const value = input[key] ?? false;
    if (typeof value !== 'boolean') problems.push(`${key}: must be true or false`);
    return value === true;
  };
  const faults = {
    latencyMs: Math.round(number('latencyMs', MAX_LATENCY_MS)),
    errorRate: number('errorRate', 1),
    dropRate: number('dropRate', 1),
    dropContext: flag('dropContext'),
  };
  if (faults.dropContext && !supportsDropContext) {
    problems.push('dropContext: only storage publishes messages; this service has no context to drop');
  }
  return { faults: Object.freeze(faults), crash: flag('crash'), problems };
}

/** Faults given at start: FAULT_LATENCY_MS, FAULT_ERROR_RATE, FAULT_DROP_RATE, FAULT_DROP_CONTEXT=1. */
export function faultsFromEnv(env, { supportsDropContext }) {
  const problems = [];
  const input = {};
  const numeric = (variable, key) => {
    if (env[variable] === undefined || env[variable] === '') return;
    const value = Number(env[variable]);
    if (Number.isNaN(value)) problems.push(`${variable}: "${env[variable]}" is not a number`);
    else input[key] = value;
  };
  numeric('FAULT_LATENCY_MS', 'latencyMs');
  numeric('FAULT_ERROR_RATE', 'errorRate');
  numeric('FAULT_DROP_RATE', 'dropRate');
  if (env.FAULT_DROP_CONTEXT === '1' || env.FAULT_DROP_CONTEXT === 'true') input.dropContext = true;
  const parsed = parseFaults(input, { supportsDropContext });
  // Name the variable rather than the JSON field, since that is what the user wrote.
  const variables = {
    latencyMs: 'FAULT_LATENCY_MS',
    errorRate: 'FAULT_ERROR_RATE',
    dropRate: 'FAULT_DROP_RATE',
    dropContext: 'FAULT_DROP_CONTEXT',
  };
  for (const problem of parsed.problems) {
    const key = problem.slice(0, problem.indexOf(':'));
    problems.push(`${variables[key] ?? key}${problem.slice(key.length)}`);
  }
  return { faults: parsed.faults, problems };
}

/** The faults of one instance, and the dice that decide what each request suffers. */
export class FaultState {
  #faults;
  #random;

  constructor(initial = NO_FAULTS, random = Math.random) {
    this.#faults = initial;
    this.#random = random;
  }

  get() {
    return this.#faults;
  }

  set(faults) {
    this.#faults = Object.freeze({ ...faults });
  }

  clear() {
    this.#faults = NO_FAULTS;
  }

  /** What happens to one request or message: `{ latencyMs, fail, drop }`. Failing wins over dropping. */
  decide() {
    const { latencyMs, errorRate, dropRate } = this.#faults;
    const fail = errorRate > 0 && this.#random() < errorRate;
    const drop = !fail && dropRate > 0 && this.#random() < dropRate;
    return { latencyMs, fail, drop };
  }
}

/** Waits `ms` milliseconds. */
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Express middleware applying the instance's faults to a request: added latency, then either an
 * injected 500, or a "drop": the request is accepted (202) and nothing downstream is called.
 */
export function faultMiddleware(state) {
  return async (req, res, next) => {
    const { latencyMs, fail, drop } = state.decide();
    if (latencyMs > 0) await sleep(latencyMs);
    if (fail) {
      res.status(500).json({ error: 'injected fault (errorRate)' });
      return;
    }
    if (drop) {
      res.status(202).json({ accepted: true, note: 'injected fault (dropRate): accepted, not processed' });
      return;
    }
    next();
  };
}
