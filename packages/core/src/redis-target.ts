import { HoptraceError } from './errors';

/** Where Redis is: one node, or the seed nodes of a Redis Cluster. */
export type RedisTarget =
  | { kind: 'single'; url: string }
  | { kind: 'cluster'; nodes: { host: string; port: number }[]; username?: string; password?: string; tls: boolean };

/** Redis used when REDIS_URL is not set. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * Reads a REDIS_URL value: `redis://host:port[/db]` (or `rediss://` for TLS) is one node;
 * a comma-separated list of URLs, or a `redis-cluster://host:port[,host:port]` URL, is a
 * Redis Cluster seed list. Throws HOPTRACE_CONFIG_INVALID naming `field` when unreadable.
 */
export function parseRedisTarget(value: string | undefined, field = 'REDIS_URL'): RedisTarget {
  const text = (value ?? '').trim() || DEFAULT_REDIS_URL;
  const clusterScheme = /^redis-cluster:\/\//i.test(text);
  const parts = (clusterScheme ? text.replace(/^redis-cluster:\/\//i, '') : text)
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const urls = parts.map((p) => {
    const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(p) ? p : `redis://${p}`;
    let url: URL;
    try {
      url = new URL(withScheme);
    } catch {
      throw new HoptraceError(
        'HOPTRACE_CONFIG_INVALID',
        `${field}: "${p}" is not a Redis URL (expected redis://host:port)`,
      );
    }
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
      throw new HoptraceError(
        'HOPTRACE_CONFIG_INVALID',
        `${field}: unsupported scheme "${url.protocol}" (use redis:// or rediss://)`,
      );
    }
    return url;
  });
  if (urls.length === 0) throw new HoptraceError('HOPTRACE_CONFIG_INVALID', `${field} is empty`);
  if (!clusterScheme && urls.length === 1) return { kind: 'single', url: urls[0]!.toString() };
  const first = urls[0]!;
  return {
    kind: 'cluster',
    nodes: urls.map((u) => ({ host: u.hostname, port: Number(u.port || 6379) })),
    username: first.username ? decodeURIComponent(first.username) : undefined,
    password: first.password ? decodeURIComponent(first.password) : undefined,
    tls: first.protocol === 'rediss:',
  };
}
