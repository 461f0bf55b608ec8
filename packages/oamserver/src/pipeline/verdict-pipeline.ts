import type { RunSummary } from '@hoptrace/core/api';
import type { RunResult } from '../store/run-store';
import { summarizeResult } from '../store/run-summary';

/** One thing that follows a verdict (verdict-consumers.ts lists them all). */
export interface VerdictConsumer {
  /** Named in the warning when it fails. */
  readonly name: string;
  /** A verdict this Oamserver stored (or gave from memory while storage was down). */
  consume(result: RunResult, summary: RunSummary): void;
  /**
   * A verdict another Oamserver stored: its summary, read from the verdicts stream. Only what
   * describes the platform takes these (statistics, baselines, timeline, live events); a consumer
   * without it sees this Oamserver's own verdicts only (metrics, incidents, the log).
   */
  consumeSummary?: (summary: RunSummary) => void;
}

/** Run ids remembered as already given to the consumers, by default. */
const DEFAULT_REMEMBERED_RUNS = 20_000;

/**
 * What follows a verdict, in one place. The collector hands each run result it stored (once per
 * run, across every Oamserver: see the compare-and-set in finish-run.lua) to the pipeline, which
 * summarises it once and gives it to each consumer in the order they were added. The verdicts
 * other Oamservers stored come as summaries (`handlePeer`, from the verdicts stream) and go to
 * the consumers that take them (`consumeSummary`). A consumer that throws is reported; the
 * others still get the result.
 *
 * Each run reaches the consumers once: the pipeline remembers the last `rememberedRuns` run ids
 * it gave them (and those warmed from storage, `alreadyCounted`), and a peer's summary of one of
 * them is dropped (a run judged `unknown` from memory here, then stored by another Oamserver; a
 * run warmed at start whose entry came after the feed's starting point).
 */
export class VerdictPipeline {
  private readonly _consumers: VerdictConsumer[] = [];
  /** Run ids given to the consumers lately, oldest first (a Set keeps insertion order). */
  private readonly _counted = new Set<string>();

  constructor(
    private readonly _warn?: (message: string) => void,
    private readonly _rememberedRuns: number = DEFAULT_REMEMBERED_RUNS,
  ) {}

  add(...consumers: VerdictConsumer[]): this {
    this._consumers.push(...consumers);
    return this;
  }

  /** The consumers' names, in order. */
  get names(): string[] {
    return this._consumers.map((c) => c.name);
  }

  /** The names of the consumers that also take other Oamservers' verdicts, in order. */
  get peerNames(): string[] {
    return this._consumers.filter((c) => c.consumeSummary).map((c) => c.name);
  }

  /** A verdict this Oamserver stored: to every consumer. */
  handle(result: RunResult): void {
    const summary = summarizeResult(result);
    this.alreadyCounted(summary.runId);
    for (const consumer of this._consumers) {
      try {
        consumer.consume(result, summary);
      } catch (error) {
        this._warn?.(`${consumer.name} failed on run ${result.run.runId}: ${(error as Error).message}`);
      }
    }
  }

  /**
   * A verdict another Oamserver stored: to the consumers that take peers' summaries. False (and
   * given to none) when this run already reached them.
   */
  handlePeer(summary: RunSummary): boolean {
    if (this._counted.has(summary.runId)) return false;
    this.alreadyCounted(summary.runId);
    for (const consumer of this._consumers) {
      if (!consumer.consumeSummary) continue;
      try {
        consumer.consumeSummary(summary);
      } catch (error) {
        this._warn?.(`${consumer.name} failed on run ${summary.runId}: ${(error as Error).message}`);
      }
    }
    return true;
  }

  /** Notes a run the consumers got some other way (warming from stored runs): a peer's summary of it is dropped. */
  alreadyCounted(runId: string): void {
    this._counted.add(runId);
    if (this._counted.size > this._rememberedRuns) this._counted.delete(this._counted.values().next().value!);
  }
}
