import { describe, expect, it } from 'vitest';
import { HoptraceError } from '../src/errors';
import { DEFAULT_KEY_ID, MIN_SECRET_LENGTH, parseProbeKeyRing } from '../src/secret-keys';

function errorOf(run: () => unknown): HoptraceError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(HoptraceError);
    return error as HoptraceError;
  }
  throw new Error('expected a HoptraceError, nothing was thrown');
}

describe('parseProbeKeyRing', () => {
  it('reads a single bare secret as key k0, which both signs and verifies', () => {
    const ring = parseProbeKeyRing('0123456789abcdef');
    expect(DEFAULT_KEY_ID).toBe('k0');
    expect(ring.signing.id).toBe('k0');
    expect(ring.signing.secret.toString('utf8')).toBe('0123456789abcdef');
    expect([...ring.byId.keys()]).toEqual(['k0']);
    expect(ring.byId.get('k0')).toBe(ring.signing);
  });

  it('reads a keyId:secret list: the first entry signs, every entry verifies', () => {
    const ring = parseProbeKeyRing('k2:new-secret-0123456789,k1:old-secret-0123456789');
    expect(ring.signing.id).toBe('k2');
    expect(ring.signing.secret.toString('utf8')).toBe('new-secret-0123456789');
    expect([...ring.byId.keys()]).toEqual(['k2', 'k1']);
    expect(ring.byId.get('k1')?.secret.toString('utf8')).toBe('old-secret-0123456789');
  });

  it('trims spaces around key ids in the list', () => {
    const ring = parseProbeKeyRing('k2:new-secret-0123456789, k1:old-secret-0123456789');
    expect([...ring.byId.keys()]).toEqual(['k2', 'k1']);
  });

  it('accepts a secret of exactly the minimum length', () => {
    expect(parseProbeKeyRing('x'.repeat(MIN_SECRET_LENGTH)).signing.secret.length).toBe(MIN_SECRET_LENGTH);
  });

  it.each([
    ['undefined', undefined],
    ['empty', ''],
    ['blank', '   '],
  ])('refuses a missing secret (%s) with HOPTRACE_SECRET_MISSING naming the variable', (_label, value) => {
    const error = errorOf(() => parseProbeKeyRing(value));
    expect(error.code).toBe('HOPTRACE_SECRET_MISSING');
    expect(error.message).toContain('HOPTRACE_SECRET');
  });

  it('names the field it was given', () => {
    expect(errorOf(() => parseProbeKeyRing(undefined, 'probeSecret')).message).toContain('probeSecret');
  });

  it('refuses a bare secret shorter than 16 characters', () => {
    const error = errorOf(() => parseProbeKeyRing('x'.repeat(MIN_SECRET_LENGTH - 1)));
    expect(error.code).toBe('HOPTRACE_SECRET_INVALID');
    expect(error.message).toContain('shorter than 16');
  });

  it('refuses a short secret in a list, naming its key', () => {
    const error = errorOf(() => parseProbeKeyRing('k2:new-secret-0123456789,k1:short'));
    expect(error.code).toBe('HOPTRACE_SECRET_INVALID');
    expect(error.message).toContain('"k1"');
  });

  it('refuses a key id that appears twice', () => {
    const error = errorOf(() => parseProbeKeyRing('k1:new-secret-0123456789,k1:old-secret-0123456789'));
    expect(error.code).toBe('HOPTRACE_SECRET_INVALID');
    expect(error.message).toContain('appears twice');
  });

  it.each([
    ['an empty key id', ':new-secret-0123456789'],
    ['a key id with a dot (the token separator)', 'k.1:new-secret-0123456789'],
    ['a key id longer than 16 characters', `${'k'.repeat(17)}:new-secret-0123456789`],
    ['an entry without a colon', 'k2:new-secret-0123456789,old-secret-0123456789'],
    ['an empty entry (trailing comma)', 'k2:new-secret-0123456789,'],
  ])('refuses %s', (_label, value) => {
    const error = errorOf(() => parseProbeKeyRing(value));
    expect(error.code).toBe('HOPTRACE_SECRET_INVALID');
    expect(error.message).toContain('HOPTRACE_SECRET');
  });

  it('never puts the secret itself in an error message', () => {
    const error = errorOf(() => parseProbeKeyRing('k1:do-not-log-me'));
    expect(error.message).not.toContain('do-not-log-me');
  });
});
