import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_KEY_PREFIX } from '@hoptrace/core';
import type { Redis } from 'ioredis';

/** docs/security.md, whose "Least-privilege Redis" section holds the ACL file snippet. */
export const SECURITY_DOC = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'security.md');

/** One `user <name> <rules...>` line of an ACL file. */
export interface AclUserLine {
  name: string;
  rules: string[];
}

/**
 * The ACL lines of the first ```acl block under "## Least-privilege Redis" in docs/security.md:
 * the tests apply exactly what users copy, so the two cannot drift apart.
 */
export function documentedAclUsers(doc: string = readFileSync(SECURITY_DOC, 'utf8')): AclUserLine[] {
  const section = doc.split(/^## Least-privilege Redis$/m)[1]?.split(/^## /m)[0];
  const block = section?.match(/^```acl\n([\s\S]*?)^```$/m)?.[1];
  if (!block) throw new Error('docs/security.md has no ```acl block under "## Least-privilege Redis"');
  return block
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [word, name, ...rules] = line.split(/\s+/);
      if (word !== 'user' || !name) throw new Error(`not an ACL user line: ${line}`);
      return { name, rules };
    });
}

/** A documented user created on a real Redis, under a unique name, for a test's key prefix. */
export interface TestAclUser {
  /** The name in the docs, e.g. `hoptrace-service`. */
  documentedName: string;
  /** The name created on Redis (the documented name with a unique suffix). */
  name: string;
  password: string;
  /** The rules as applied: the documented ones, with the key prefix and password substituted. */
  rules: string[];
  /** `redis://name:password@host:port` for the test Redis. */
  url: string;
}

/**
 * Creates every user of the documented snippet on the Redis of `admin` (ACL SETUSER), each with a
 * unique name suffix and a random password, the default key prefix replaced by `prefix`. Delete
 * them with `deleteAclUsers`.
 */
export async function createDocumentedAclUsers(
  admin: Redis,
  redisUrl: string,
  prefix: string,
): Promise<Map<string, TestAclUser>> {
  const suffix = randomBytes(4).toString('hex');
  const users = new Map<string, TestAclUser>();
  for (const line of documentedAclUsers()) {
    const password = randomBytes(16).toString('hex');
    const rules = line.rules.map((rule) => {
      if (rule.startsWith('>')) return `>${password}`;
      // Key patterns (`~`, `%R~`, `%W~`, `%RW~`): the documented default prefix becomes the test's.
      return /^(%[RW]+)?~/.test(rule) ? rule.replace(DEFAULT_KEY_PREFIX, prefix) : rule;
    });
    const name = `${line.name}-${suffix}`;
    const url = new URL(redisUrl);
    url.username = name;
    url.password = password;
    await admin.call('ACL', 'SETUSER', name, ...rules);
    users.set(line.name, { documentedName: line.name, name, password, rules, url: url.toString() });
  }
  return users;
}

/** Deletes the users `createDocumentedAclUsers` made. */
export async function deleteAclUsers(admin: Redis, users: Iterable<TestAclUser>): Promise<void> {
  const names = [...users].map((u) => u.name);
  if (names.length > 0) await admin.call('ACL', 'DELUSER', ...names);
}

/** The `ACL LOG` entries (refused commands, keys, channels, logins) of one user, as `reason object`. */
export async function aclLogOf(admin: Redis, user: string): Promise<string[]> {
  const entries = (await admin.call('ACL', 'LOG', '128')) as unknown[];
  const out: string[] = [];
  for (const entry of entries) {
    // A flat [field, value, ...] list (RESP2), or a map (RESP3).
    let fields: Record<string, unknown> = {};
    if (Array.isArray(entry)) for (let i = 0; i + 1 < entry.length; i += 2) fields[String(entry[i])] = entry[i + 1];
    else if (entry instanceof Map) fields = Object.fromEntries(entry);
    else fields = entry as Record<string, unknown>;
    if (fields.username === user)
      out.push(`${String(fields.reason)} ${String(fields.object)} (${String(fields.context)})`);
  }
  return out;
}
