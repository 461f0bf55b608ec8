export {
  PROBE_BAGGAGE_KEY,
  PROBE_MESSAGE_FIELD,
  MESSAGE_PUBLISHED_AT_FIELD,
  ATTR_PROBE_NAME,
  ATTR_RUN_ID,
  ATTR_QUEUE_WAIT_US,
  ATTR_ORIGIN_TRACE_ID,
  ATTR_HOP_EXITS,
  ATTR_HOP_ERROR_TYPE,
  ATTR_HOP_ERROR_MESSAGE,
  MAX_HOP_EXITS,
  ATTR_USER_AGENT_SYNTHETIC_TYPE,
  SYNTHETIC_TYPE_TEST,
} from './attributes';
export { formatProbeMessageField, parseProbeMessageField, MAX_PROBE_MESSAGE_FIELD_LENGTH } from './probe-message-field';
export type { ProbeMessageField } from './probe-message-field';
export { ERROR_CODES, HoptraceError, ConfigError } from './errors';
export type { HoptraceErrorCode, ConfigIssue } from './errors';
export { parseProbeKeyRing, DEFAULT_KEY_ID, MIN_SECRET_LENGTH } from './secret-keys';
export type { ProbeKey, ProbeKeyRing } from './secret-keys';
export {
  PROBE_TOKEN_VERSION,
  MAX_PROBE_TOKEN_LENGTH,
  DEFAULT_CLOCK_SKEW_MS,
  PROBE_NAME_PATTERN,
  RUN_ID_PATTERN,
  TRACE_ID_PATTERN,
  signProbeToken,
  checkProbeToken,
  verifyProbeToken,
} from './probe-token';
export type {
  ProbeClaims,
  VerifiedProbe,
  ProbeTokenRejection,
  ProbeTokenCheck,
  VerifyProbeTokenOptions,
} from './probe-token';
export {
  hopRecordSchema,
  encodeHopRecord,
  decodeHopRecord,
  truncate,
  MAX_ERROR_MESSAGE_LENGTH,
  MAX_LABEL_LENGTH,
} from './hop-record';
export type { HopRecord } from './hop-record';
export { UNREACHED_ERROR_CODES, encodeHopExit, parseHopExit } from './hop-exits';
export type { HopExit } from './hop-exits';
export { createRedisKeys, DEFAULT_KEY_PREFIX, PENDING_PARTITIONS, partitionOf, stableHash } from './redis-keys';
export type { RedisKeys } from './redis-keys';
export { newRunId } from './run-id';
export { parseRedisTarget, DEFAULT_REDIS_URL } from './redis-target';
export type { RedisTarget } from './redis-target';
