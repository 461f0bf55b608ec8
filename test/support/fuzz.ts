/** Seed of the fuzz suites in `pnpm test`: fixed, so a run is repeatable. */
export const DEFAULT_FUZZ_SEED = 20_261_207;

/**
 * The fast-check settings every `*.fuzz.test.ts` runs with: a fixed seed and a bounded number of
 * runs in `pnpm test`; `HOPTRACE_FUZZ_SEED` and `HOPTRACE_FUZZ_RUNS` for the longer mode (see
 * test/README.md, "Fuzzing"). `defaultRuns` is the suite's own bound (HTTP suites use fewer).
 * On a failure fast-check prints the seed, the path and the shrunk counterexample.
 */
export function fuzzParams(defaultRuns = 200): { seed: number; numRuns: number } {
  const seed = Number(process.env.HOPTRACE_FUZZ_SEED ?? DEFAULT_FUZZ_SEED);
  const numRuns = Number(process.env.HOPTRACE_FUZZ_RUNS ?? defaultRuns);
  if (!Number.isSafeInteger(seed))
    throw new Error(`HOPTRACE_FUZZ_SEED must be an integer, not "${process.env.HOPTRACE_FUZZ_SEED}"`);
  if (!Number.isSafeInteger(numRuns) || numRuns < 1)
    throw new Error(`HOPTRACE_FUZZ_RUNS must be a positive integer, not "${process.env.HOPTRACE_FUZZ_RUNS}"`);
  return { seed, numRuns };
}

/**
 * Test timeout for a fuzz test: generous in the longer mode, where one test runs
 * `HOPTRACE_FUZZ_RUNS` examples.
 */
export function fuzzTimeoutMs(defaultMs = 30_000): number {
  return process.env.HOPTRACE_FUZZ_RUNS === undefined ? defaultMs : 24 * 60 * 60 * 1000;
}
