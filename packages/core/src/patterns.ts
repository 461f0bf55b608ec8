// The shapes of names and ids that cross package boundaries. No imports: the browser (the
// dashboard, through `@hoptrace/core/api`) loads this file too.

/** Probe names: what the Oamserver config accepts and what a token may carry. */
export const PROBE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
/** Run ids: no braces (they would break the Redis hash tag) and no dots (the token separator). */
export const RUN_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** W3C trace id: 32 lowercase hex digits, not all zero. */
export const TRACE_ID_PATTERN = /^(?!0{32})[0-9a-f]{32}$/;
