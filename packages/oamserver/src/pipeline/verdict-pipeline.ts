import type { RunSummary } from '@hoptrace/core/api';
import type { RunResult } from '../store/run-store';
import { summarizeResult } from '../store/run-summary';

/** One thing that follows a verdict (verdict-consumers.ts lists them all). */
export interface VerdictConsumer {
  /** Named in the warning when it fails. */
  readonly name: string;
  consume(result: RunResult, summary: RunSummary): void;
}

/**
 * What follows a verdict, in one place. The collector hands each run result it stored (once per
 * run, across every Oamserver: see the compare-and-set in finish-run.lua) to the pipeline, which
 * summarises it once and gives it to each consumer in the order they were added. A consumer that
 * throws is reported; the others still get the result.
 */
export class VerdictPipeline {
  private readonly _consumers: VerdictConsumer[] = [];

  constructor(private readonly _warn?: (message: string) => void) {}

  add(...consumers: VerdictConsumer[]): this {
    this._consumers.push(...consumers);
    return this;
  }

  /** The consumers' names, in order. */
  get names(): string[] {
    return this._consumers.map((c) => c.name);
  }

  handle(result: RunResult): void {
    const summary = summarizeResult(result);
    for (const consumer of this._consumers) {
      try {
        consumer.consume(result, summary);
      } catch (error) {
        this._warn?.(`${consumer.name} failed on run ${result.run.runId}: ${(error as Error).message}`);
      }
    }
  }
}
