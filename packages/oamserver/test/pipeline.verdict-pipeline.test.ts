import { describe, expect, it } from 'vitest';
import { VerdictPipeline } from '../src/pipeline/verdict-pipeline';
import { resultAt } from './support/scenarios';

describe('the verdict pipeline: everything that follows a verdict, in one place', () => {
  const result = resultAt({ runId: '0mxcy9v0d-fd7c46b97b87', firedAtMs: 1_700_000_000_000 });

  it('gives each consumer, in order, the result and its summary, made once', () => {
    const seen: string[] = [];
    const summaries = new Set<unknown>();
    const pipeline = new VerdictPipeline().add(
      { name: 'first', consume: (r, s) => (seen.push(`first ${r.run.runId} ${s.verdict}`), summaries.add(s)) },
      { name: 'second', consume: (r, s) => (seen.push(`second ${s.runId}`), summaries.add(s)) },
    );
    pipeline.handle(result);
    expect(seen).toEqual([`first ${result.run.runId} ${result.verdict}`, `second ${result.run.runId}`]);
    expect(summaries.size).toBe(1);
    expect(pipeline.names).toEqual(['first', 'second']);
  });

  it('a consumer that throws is reported, and the ones after it still get the result', () => {
    const warnings: string[] = [];
    const after: string[] = [];
    const pipeline = new VerdictPipeline((message) => warnings.push(message)).add(
      {
        name: 'broken',
        consume: () => {
          throw new Error('boom');
        },
      },
      { name: 'after', consume: (r) => after.push(r.run.runId) },
    );
    pipeline.handle(result);
    expect(after).toEqual([result.run.runId]);
    expect(warnings).toEqual([`broken failed on run ${result.run.runId}: boom`]);
  });
});
