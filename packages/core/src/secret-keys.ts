import { HoptraceError } from './errors';

/** One HMAC key of the probe key ring. */
export interface ProbeKey {
  /** Short id written into each token, so verifiers know which key signed it. */
  readonly id: string;
  readonly secret: Buffer;
}

/** The keys that sign (the first) and verify (all) probe tokens. */
export interface ProbeKeyRing {
  /** Key used to sign new tokens. */
  readonly signing: ProbeKey;
  /** Every key accepted when verifying, by id. */
  readonly byId: ReadonlyMap<string, ProbeKey>;
}

/** Key id used when HOPTRACE_SECRET holds a single bare secret. */
export const DEFAULT_KEY_ID = 'k0';
/** Shortest secret accepted: a guessable key would let anyone forge probe traffic. */
export const MIN_SECRET_LENGTH = 16;

const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,16}$/;

/**
 * Parses `HOPTRACE_SECRET`: either one secret (key id `k0`), or a comma-separated list of
 * `keyId:secret` entries for rotation, where the first signs and all verify. Both sides parse
 * the same value the same way, so the Oamserver and the services always agree.
 * Throws `HoptraceError` with code HOPTRACE_SECRET_MISSING or HOPTRACE_SECRET_INVALID.
 */
export function parseProbeKeyRing(value: string | undefined, field = 'HOPTRACE_SECRET'): ProbeKeyRing {
  if (value === undefined || value.trim() === '') {
    throw new HoptraceError(
      'HOPTRACE_SECRET_MISSING',
      `${field} is not set: probe tokens cannot be signed or verified`,
    );
  }
  const entries = value.includes(':') ? value.split(',') : [`${DEFAULT_KEY_ID}:${value}`];
  const keys: ProbeKey[] = [];
  entries.forEach((entry, index) => {
    const colon = entry.indexOf(':');
    const id = entry.slice(0, colon).trim();
    const secret = entry.slice(colon + 1);
    if (colon < 0 || !KEY_ID_PATTERN.test(id)) {
      throw new HoptraceError(
        'HOPTRACE_SECRET_INVALID',
        `${field}: entry ${index + 1} must be keyId:secret with a key id of 1-16 letters, digits, _ or -`,
      );
    }
    if (secret.length < MIN_SECRET_LENGTH) {
      throw new HoptraceError(
        'HOPTRACE_SECRET_INVALID',
        `${field}: the secret of key "${id}" is shorter than ${MIN_SECRET_LENGTH} characters`,
      );
    }
    if (keys.some((k) => k.id === id)) {
      throw new HoptraceError('HOPTRACE_SECRET_INVALID', `${field}: key id "${id}" appears twice`);
    }
    keys.push({ id, secret: Buffer.from(secret, 'utf8') });
  });
  return { signing: keys[0]!, byId: new Map(keys.map((k) => [k.id, k])) };
}
