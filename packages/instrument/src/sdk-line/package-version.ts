import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The version of package `name` as `require` resolves it, read from its package.json (found by
 * walking up from its entry point: packages with an `exports` map do not export package.json).
 * Undefined when it cannot be resolved.
 */
export function resolvedPackage(req: NodeJS.Require, name: string): { version: string; entry: string } | undefined {
  let entry: string;
  try {
    entry = req.resolve(name);
  } catch {
    return undefined;
  }
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (manifest.name === name && typeof manifest.version === 'string') return { version: manifest.version, entry };
    } catch {
      // no package.json here (or not ours): keep walking up
    }
  }
  return undefined;
}

/** Whether version `a` (major.minor[.patch]) is at least `major.minor`. */
export function atLeast(version: string, major: number, minor: number): boolean {
  const [maj = NaN, min = NaN] = version.split('.').map((part) => Number.parseInt(part, 10));
  return maj > major || (maj === major && min >= minor);
}
