import { describe, expect, it } from 'vitest';
import { VerdictPipeline } from '../src/pipeline/verdict-pipeline';
import { summarizeResult } from '../src/store/run-summary';
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

  it("gives a peer's summary only to the consumers that take peers' summaries", () => {
    const seen: string[] = [];
    const pipeline = new VerdictPipeline().add(
      {
        name: 'platform',
        consume: (r) => seen.push(`platform own ${r.run.runId}`),
        consumeSummary: (s) => seen.push(`platform peer ${s.runId}`),
      },
      { name: 'own work', consume: (r) => seen.push(`own work ${r.run.runId}`) },
    );
    const peer = summarizeResult(resultAt({ runId: '0mxcy9v0d-aaaaaaaaaaaa', firedAtMs: 1_700_000_000_000 }));
    expect(pipeline.handlePeer(peer)).toBe(true);
    pipeline.handle(result);
    expect(seen).toEqual([
      `platform peer ${peer.runId}`,
      `platform own ${result.run.runId}`,
      `own work ${result.run.runId}`,
    ]);
    expect(pipeline.names).toEqual(['platform', 'own work']);
    expect(pipeline.peerNames).toEqual(['platform']);
  });

  it('gives a run to the consumers once: a peer summary of a run already handled, or warmed, is dropped', () => {
    const peers: string[] = [];
    const pipeline = new VerdictPipeline(undefined, 2).add({
      name: 'platform',
      consume: () => undefined,
      consumeSummary: (s) => peers.push(s.runId),
    });
    const summaryOf = (runId: string) => summarizeResult(resultAt({ runId, firedAtMs: 1_700_000_000_000 }));
    pipeline.handle(result);
    pipeline.alreadyCounted('warmed-run');
    expect(pipeline.handlePeer(summarizeResult(result))).toBe(false);
    expect(pipeline.handlePeer(summaryOf('warmed-run'))).toBe(false);
    expect(pipeline.handlePeer(summaryOf('peer-run'))).toBe(true);
    expect(pipeline.handlePeer(summaryOf('peer-run'))).toBe(false);
    expect(peers).toEqual(['peer-run']);
    // Bounded: with room for 2 run ids, the oldest ones are forgotten.
    expect(pipeline.handlePeer(summarizeResult(result))).toBe(true);
  });

  it("a consumer that throws on a peer's summary is reported, and the ones after it still get it", () => {
    const warnings: string[] = [];
    const after: string[] = [];
    const pipeline = new VerdictPipeline((message) => warnings.push(message)).add(
      {
        name: 'broken',
        consume: () => undefined,
        consumeSummary: () => {
          throw new Error('boom');
        },
      },
      { name: 'after', consume: () => undefined, consumeSummary: (s) => after.push(s.runId) },
    );
    pipeline.handlePeer(summarizeResult(result));
    expect(after).toEqual([result.run.runId]);
    expect(warnings).toEqual([`broken failed on run ${result.run.runId}: boom`]);
  });
});
