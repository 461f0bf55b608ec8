// What one summary costs in histogram merging, apart from everything else: the Oamserver's
// WindowedHistogram.summary() adds each of a window's bucket histograms into one, for every probe
// on every GET /api/overview, and for every hop of every run when it looks up a baseline. Times
// that merge with the Oamserver's LogHistogram and with three settings of hdr-histogram-js (what
// it used before: packed buckets, JavaScript). See docs/dashboard-performance.md and
// docs/deployment.md.
//   node bench/hdr-merge.mjs [--probes 20] [--rounds 20]
import { createRequire } from 'node:module';
import hdr from 'hdr-histogram-js';

// The Oamserver's LogHistogram (not exported: loaded from its build, next to the entry point).
const requireFromOamserver = createRequire(createRequire(import.meta.url).resolve('@hoptrace/oamserver'));
const { LogHistogram } = requireFromOamserver('./stats/log-histogram.js');

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  const value = i === -1 ? fallback : Number(process.argv[i + 1]);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} needs a positive whole number`);
  return value;
}
const probes = option('--probes', 20);
const rounds = option('--rounds', 20);

/** The Oamserver's histogram settings (packages/oamserver/src/stats/windowed-histogram.ts), but for the bucket size and WebAssembly. */
const settings = (bitBucketSize, useWebAssembly) => ({
  bitBucketSize,
  lowestDiscernibleValue: 1,
  highestTrackableValue: 3_600_000_000,
  numberOfSignificantValueDigits: 2,
  useWebAssembly,
});

/** The same as timeMerge, with the Oamserver's LogHistogram (merged into one reused histogram, as it does). */
function timeLogMerge(perBucket) {
  const buckets = Array.from({ length: 60 }, () => {
    const h = new LogHistogram();
    for (let i = 0; i < perBucket; i++) h.recordValue(Math.round((40 + Math.random() * 40) * 1000));
    return h;
  });
  const merged = new LogHistogram();
  const started = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) {
    merged.reset();
    for (const bucket of buckets) merged.add(bucket);
    merged.getValueAtPercentile(95);
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6 / rounds;
  return { ms, footprint: buckets[0].storedBytes };
}

/** ms per merge of 60 buckets of `perBucket` latencies (µs, 40-80 ms) each, and a p95 read. */
function timeMerge(bitBucketSize, useWebAssembly, perBucket) {
  const buckets = Array.from({ length: 60 }, () => {
    const h = hdr.build(settings(bitBucketSize, useWebAssembly));
    for (let i = 0; i < perBucket; i++) h.recordValue(Math.round((40 + Math.random() * 40) * 1000));
    return h;
  });
  const started = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) {
    const merged = hdr.build(settings(bitBucketSize, useWebAssembly));
    for (const bucket of buckets) merged.add(bucket);
    merged.getValueAtPercentile(95);
    if (useWebAssembly) merged.destroy();
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6 / rounds;
  const footprint = buckets[0].estimatedFootprintInBytes;
  for (const bucket of buckets) if (useWebAssembly) bucket.destroy();
  return { ms, footprint };
}

await hdr.initWebAssembly();
console.log(
  `merging 60 bucket histograms into one, as WindowedHistogram.summary() does per probe and window (${rounds} rounds each; bytes: counters only for LogHistogram)`,
);
console.log(
  `${'histograms'.padEnd(36)}${'values/bucket'.padStart(14)}${'ms/merge'.padStart(10)}${'µs/add'.padStart(8)}` +
    `${`× ${probes} probes`.padStart(14)}${'bytes/bucket'.padStart(14)}`,
);
for (const perBucket of [3, 80]) {
  for (const [label, bits, wasm] of [
    ['LogHistogram (the Oamserver)', 'log', false],
    ['hdr packed, JavaScript (before)', 'packed', false],
    ['hdr 32-bit buckets, JavaScript', 32, false],
    ['hdr packed, WebAssembly', 'packed', true],
  ]) {
    const { ms, footprint } = bits === 'log' ? timeLogMerge(perBucket) : timeMerge(bits, wasm, perBucket);
    console.log(
      `${label.padEnd(36)}${String(perBucket).padStart(14)}${ms.toFixed(2).padStart(10)}` +
        `${((ms / 60) * 1000).toFixed(0).padStart(8)}${`${(ms * probes).toFixed(0)} ms`.padStart(14)}${String(footprint).padStart(14)}`,
    );
  }
}
