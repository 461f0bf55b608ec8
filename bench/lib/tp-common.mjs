// Shared by bench/oamserver-throughput.mjs and bench/classifier.mjs: the source a result was
// measured on (the Oamserver's sources fingerprinted, besides the commit machine-info.mjs gives),
// and the result written as the workspace formats JSON.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What the measured Oamserver was built from, beyond the commit: others may be editing its
 * collector, store and scheduler in this checkout, so each source file there (and its build) is
 * named with its modification time and a hash of its content.
 */
export function sourceFingerprint(repoDir) {
  const files = [];
  const add = (rel) => {
    const path = join(repoDir, rel);
    if (!existsSync(path)) return;
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const name of readdirSync(path).sort()) add(join(rel, name));
      return;
    }
    files.push({
      file: rel,
      modified: stat.mtime.toISOString(),
      sha256: createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 12),
    });
  };
  for (const rel of [
    'packages/oamserver/src/collector',
    'packages/oamserver/src/store',
    'packages/oamserver/src/scheduler',
    'packages/oamserver/src/oamserver.ts',
    'packages/oamserver/src/oam-core.ts',
    'packages/core/src/redis-keys.ts',
  ])
    add(rel);
  const built = join(repoDir, 'packages/oamserver/dist/collector/collector.js');
  return {
    files,
    builtCollectorAt: existsSync(built) ? statSync(built).mtime.toISOString() : null,
  };
}

/**
 * The result as JSON, formatted by the workspace's Prettier when it is installed, so that a result
 * written over a committed one passes `pnpm lint` as it is.
 */
export async function formatJson(value, file) {
  const text = `${JSON.stringify(value, null, 2)}\n`;
  try {
    const prettier = await import('prettier');
    return await prettier.format(text, { ...(await prettier.resolveConfig(file)), filepath: file });
  } catch {
    return text;
  }
}
