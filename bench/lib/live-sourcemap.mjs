// Naming the dashboard's minified functions in a chromium CPU profile: the dashboard is built
// again with `--sourcemap hidden` into a temporary folder (the same sources give the same bundle,
// byte for byte, plus a .map), and each profiled position is looked up in that map. A bundle
// whose name differs from the one the page loaded (the sources changed since `pnpm build`) is
// not used: nothing is guessed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Map([...B64].map((c, i) => [c, i]));

/** Decodes a source map's `mappings`: per generated line, segments [col, source, line, column, name?], by column. */
export function decodeMappings(mappings) {
  const lines = [];
  let source = 0;
  let line = 0;
  let column = 0;
  let name = 0;
  for (const text of mappings.split(';')) {
    const segments = [];
    let col = 0;
    for (const part of text.split(',')) {
      if (!part) continue;
      const values = [];
      let value = 0;
      let shift = 0;
      for (const ch of part) {
        const digit = DIGIT.get(ch);
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          values.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      col += values[0];
      const segment = [col];
      if (values.length >= 4) {
        source += values[1];
        line += values[2];
        column += values[3];
        segment.push(source, line, column);
        if (values.length >= 5) {
          name += values[4];
          segment.push(name);
        }
      }
      segments.push(segment);
    }
    lines.push(segments);
  }
  return lines;
}

/**
 * The original place of a generated position (0-based line and column): { source, line (1-based),
 * name }, `name` being the nearest original identifier at or before it on the generated line (for
 * a function's start, its own name when it has one).
 */
export function originalOf(map, decoded, line0, column0) {
  const segments = decoded[line0];
  if (!segments) return undefined;
  let lo = 0;
  let hi = segments.length - 1;
  let at = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (segments[mid][0] <= column0) {
      at = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (at < 0 || segments[at].length < 4) return undefined;
  let name;
  for (let i = at; i >= 0 && i >= at - 3 && name === undefined; i--)
    if (segments[i].length === 5) name = map.names[segments[i][4]];
  // Dashboard files as `src/...`, core's as `core/src/...`, packages by their name and path.
  const source = map.sources[segments[at][1]]
    .replace(/^.*node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?/, '')
    .replace(/^.*packages\/dashboard\//, '')
    .replace(/^.*packages\/core\//, 'core/')
    .replace(/^(\.\.\/)+/, '');
  return { source, line: segments[at][2] + 1, name };
}

/**
 * Builds the dashboard with hidden source maps into a temporary folder and returns
 * { lookup(url, line0, column0), bundles, note } for the bundles whose names match `loadedNames`
 * (the script files the page loaded). The folder is removed before returning.
 */
export function dashboardSourceMaps(repoDir, loadedNames) {
  const dashboardDir = join(repoDir, 'packages', 'dashboard');
  const outDir = mkdtempSync(join(tmpdir(), 'hoptrace-live-maps-'));
  try {
    const built = spawnSync(
      process.execPath,
      [
        join(dashboardDir, 'node_modules', 'vite', 'bin', 'vite.js'),
        'build',
        '--sourcemap',
        'hidden',
        '--outDir',
        outDir,
        '--emptyOutDir',
        '--logLevel',
        'error',
      ],
      { cwd: dashboardDir, encoding: 'utf8', timeout: 120_000 },
    );
    if (built.status !== 0)
      return { lookup: () => undefined, bundles: [], note: `vite build failed: ${built.stderr.slice(0, 500)}` };
    const maps = new Map();
    const assets = join(outDir, 'assets');
    for (const file of readdirSync(assets).filter((f) => f.endsWith('.js.map'))) {
      const bundle = file.slice(0, -4);
      if (!loadedNames.includes(bundle)) continue;
      const map = JSON.parse(readFileSync(join(assets, file), 'utf8'));
      maps.set(bundle, { map, decoded: decodeMappings(map.mappings) });
    }
    const missing = loadedNames.filter((n) => !maps.has(n));
    return {
      bundles: [...maps.keys()],
      note: missing.length
        ? `no source map for ${missing.join(', ')}: the dashboard's sources changed since it was built, so its functions keep their minified names`
        : undefined,
      lookup(url, line0, column0) {
        const entry = maps.get(url.split('/').pop());
        return entry && originalOf(entry.map, entry.decoded, line0, column0);
      },
    };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
