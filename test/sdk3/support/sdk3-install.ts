import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = join(HERE, '..', '..', '..');
/** The packages a service installs, in the order pnpm packs them. */
const PACKED = ['packages/core', 'exporter', 'packages/instrument'];

/** Whether this Node runs the 3.x line, which needs Node 22.15 (the `engines` of its packages). */
export function nodeRunsSdk3(version = process.versions.node): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 15);
}

/** Fails the suite, with what to do, on a Node that cannot run the 3.x line. */
export function assertNodeForSdk3(): void {
  if (!nodeRunsSdk3()) {
    throw new Error(
      `the OpenTelemetry SDK 3.x suite needs Node 22.15 or later, and runs on ${process.version}: ` +
        'run it with a newer node (.ci/run does, with Node 22 from the npm registry)',
    );
  }
}

/**
 * Installs test/sdk3/service into a fresh temporary directory the way a user installs hoptrace
 * next to the OpenTelemetry 3.x line: hoptrace's packages packed from this build (`pnpm pack`,
 * which turns `workspace:*` into versions), OpenTelemetry and Express from the npm registry, with
 * npm. Returns the directory and npm's output.
 */
export async function installSdk3Service(): Promise<{ dir: string; npmOutput: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'hoptrace-sdk3-'));
  cpSync(join(HERE, '..', 'service'), dir, { recursive: true });
  const packs = join(dir, 'packs');
  for (const pkg of PACKED) {
    await run('pnpm', ['pack', '--pack-destination', packs], { cwd: join(REPO, pkg) });
  }
  const packed = readdirSync(packs);
  if (packed.length !== PACKED.length) throw new Error(`pnpm pack made ${packed.join(', ')} in ${packs}`);
  const { stdout, stderr } = await run('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock'], {
    cwd: dir,
    maxBuffer: 16 * 1024 * 1024,
  });
  return { dir, npmOutput: `${stdout}${stderr}` };
}
