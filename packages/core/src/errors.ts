/**
 * The error catalog. Every error hoptrace raises or reports has a stable code from this list;
 * `docs/errors.md` documents each one and a test keeps the two in step.
 */
export const ERROR_CODES = {
  HOPTRACE_CONFIG_INVALID: 'A configuration value is missing or invalid; the message names the field.',
  HOPTRACE_SECRET_MISSING: 'HOPTRACE_SECRET is not set, so probe tokens can be neither signed nor verified.',
  HOPTRACE_SECRET_INVALID: 'HOPTRACE_SECRET is malformed or a key is shorter than 16 characters.',
  HOPTRACE_TOKEN_INVALID:
    'A probe token could not be signed from the claims given (bad probe name, run id or trace id).',
  HOPTRACE_HOP_INVALID: 'A hop record read from or written to Redis does not match the hop record schema.',
  HOPTRACE_REDIS_UNAVAILABLE: 'Redis did not answer, refused the command, or is out of memory.',
  HOPTRACE_EXPORT_TIMEOUT: 'Writing hop records to Redis took longer than the export timeout.',
  HOPTRACE_EXPORTER_SHUTDOWN: 'The exporter was used after shutdown().',
  HOPTRACE_API_BAD_REQUEST:
    'An HTTP API request was refused: a query parameter, filter, cursor or body is malformed; the message names it.',
  HOPTRACE_API_NOT_FOUND: 'The HTTP API has no such route, probe, run or incident (unknown, or expired).',
  HOPTRACE_API_UNAUTHORIZED:
    'The HTTP API is locked (HOPTRACE_API_TOKEN) and the request carried no token, or a wrong one.',
  HOPTRACE_TOO_MANY_ATTEMPTS:
    'Too many wrong API tokens came from this client address lately: sign-in is refused until its window ends (Retry-After).',
  HOPTRACE_API_BUSY: 'The Oamserver serves as many live event streams as it allows; try again later.',
  HOPTRACE_RUN_TIMEOUT: 'A run fired on request got no verdict in time.',
} as const;

/** A stable error code from the catalog. */
export type HoptraceErrorCode = keyof typeof ERROR_CODES;

/** Base class of every error hoptrace throws or reports. */
export class HoptraceError extends Error {
  /** Stable code, see `ERROR_CODES`. */
  readonly code: HoptraceErrorCode;

  constructor(code: HoptraceErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HoptraceError';
    this.code = code;
  }
}

/** One problem in a configuration: where it is and what is wrong. */
export interface ConfigIssue {
  /** Dotted path of the field, e.g. `probes.0.every` or `HOPTRACE_SECRET`. */
  path: string;
  /** What is wrong, in words. */
  message: string;
  /** 1-based line in the source file, when known. */
  line?: number;
}

/** A configuration was refused; `issues` lists every problem at once. */
export class ConfigError extends HoptraceError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], source?: string) {
    const where = source ? ` in ${source}` : '';
    const lines = issues.map((i) => `  - ${i.path}${i.line ? ` (line ${i.line})` : ''}: ${i.message}`);
    super('HOPTRACE_CONFIG_INVALID', `invalid configuration${where}:\n${lines.join('\n')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}
