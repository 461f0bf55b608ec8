import { describe, expect, it } from 'vitest';
import { HoptraceError } from '../src/errors';
import { DEFAULT_REDIS_URL, parseRedisTarget } from '../src/redis-target';

function errorOf(run: () => unknown): HoptraceError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(HoptraceError);
    return error as HoptraceError;
  }
  throw new Error('expected a HoptraceError, nothing was thrown');
}

describe('parseRedisTarget', () => {
  it('reads one URL as a single node', () => {
    expect(parseRedisTarget('redis://10.0.0.5:6380/2')).toEqual({ kind: 'single', url: 'redis://10.0.0.5:6380/2' });
    expect(parseRedisTarget('rediss://cache.example.com:6380')).toEqual({
      kind: 'single',
      url: 'rediss://cache.example.com:6380',
    });
  });

  it('adds redis:// to a bare host:port', () => {
    expect(parseRedisTarget('cache:6379')).toEqual({ kind: 'single', url: 'redis://cache:6379' });
  });

  it.each([
    ['unset', undefined],
    ['empty', ''],
    ['blank', '  '],
  ])('uses the default when %s', (_label, value) => {
    expect(DEFAULT_REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(parseRedisTarget(value)).toEqual({ kind: 'single', url: DEFAULT_REDIS_URL });
  });

  it('keeps the credentials of a single URL', () => {
    expect(parseRedisTarget('redis://app:s3cret@cache:6379')).toEqual({
      kind: 'single',
      url: 'redis://app:s3cret@cache:6379',
    });
  });

  it('reads a comma-separated list as a cluster seed list', () => {
    expect(parseRedisTarget('redis://n1:7000, redis://n2:7001,n3')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: 'n1', port: 7000 },
        { host: 'n2', port: 7001 },
        { host: 'n3', port: 6379 },
      ],
      username: undefined,
      password: undefined,
      tls: false,
    });
  });

  it('reads redis-cluster:// as a cluster, even with one node', () => {
    expect(parseRedisTarget('redis-cluster://n1:7000')).toMatchObject({
      kind: 'cluster',
      nodes: [{ host: 'n1', port: 7000 }],
    });
    expect(parseRedisTarget('REDIS-CLUSTER://n1:7000,n2:7001')).toMatchObject({
      kind: 'cluster',
      nodes: [
        { host: 'n1', port: 7000 },
        { host: 'n2', port: 7001 },
      ],
    });
  });

  it('takes cluster credentials and TLS from the first URL, decoding them', () => {
    expect(parseRedisTarget('rediss://app:p%40ss%2Cw0rd@n1:7000,rediss://n2:7001')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: 'n1', port: 7000 },
        { host: 'n2', port: 7001 },
      ],
      username: 'app',
      password: 'p@ss,w0rd',
      tls: true,
    });
    expect(parseRedisTarget('redis-cluster://:pw@n1:7000,n2:7001')).toMatchObject({
      username: undefined,
      password: 'pw',
      tls: false,
    });
  });

  it('refuses a scheme that is not Redis, naming the field and the scheme', () => {
    const error = errorOf(() => parseRedisTarget('http://cache:6379'));
    expect(error.code).toBe('HOPTRACE_CONFIG_INVALID');
    expect(error.message).toContain('REDIS_URL');
    expect(error.message).toContain('http:');
    const named = errorOf(() => parseRedisTarget('redis://n1:7000,memcached://n2:11211', 'exporter.redisUrl'));
    expect(named.message).toContain('exporter.redisUrl');
    expect(named.message).toContain('memcached:');
  });

  it('refuses a value that is not a URL, naming the field', () => {
    const error = errorOf(() => parseRedisTarget('redis://cache:notaport'));
    expect(error.code).toBe('HOPTRACE_CONFIG_INVALID');
    expect(error.message).toContain('REDIS_URL');
  });

  it('refuses a list with no node', () => {
    const error = errorOf(() => parseRedisTarget('redis-cluster://'));
    expect(error.code).toBe('HOPTRACE_CONFIG_INVALID');
    expect(error.message).toContain('REDIS_URL');
  });
});
