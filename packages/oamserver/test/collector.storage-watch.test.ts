import { describe, expect, it } from 'vitest';
import { StorageWatch } from '../src/collector/storage-watch';
import { StorageHealth } from '../src/store/storage-health';

/** Keeps this process's event loop busy for `ms` (our own work, not storage's). */
function blockLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy on purpose
  }
}

/** A pass with one storage call, judged by a watch that finds answers over 100 ms slow. */
async function pass(call: () => Promise<unknown>): Promise<{ failing: boolean; warnings: string[] }> {
  const health = new StorageHealth();
  const warnings: string[] = [];
  const watch = new StorageWatch(health, 100, (message) => warnings.push(message));
  watch.startPass();
  await watch.timed(call);
  watch.endPass();
  return { failing: health.failing, warnings };
}

describe('StorageWatch: a slow storage answer makes verdicts unknown, our own busy loop does not', () => {
  it('counts storage that kept us waiting, idle, past the limit', async () => {
    const result = await pass(() => new Promise((resolve) => setTimeout(resolve, 300)));
    expect(result.failing).toBe(true);
    expect(result.warnings[0]).toMatch(/^storage unavailable: storage took \d+ ms to answer/);
  });

  it('leaves out the time our own event loop was busy (the answer was there, we were not)', async () => {
    const result = await pass(async () => {
      const answer = Promise.resolve('OK');
      blockLoop(300);
      return answer;
    });
    expect(result).toEqual({ failing: false, warnings: [] });
  });

  it('a quick answer is no problem', async () => {
    expect(await pass(() => Promise.resolve('OK'))).toEqual({ failing: false, warnings: [] });
  });
});
