import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it, vi } from 'vitest';
import { HoptraceError } from '@hoptrace/core';
import { HopExportStats } from '../src/hop-export-stats';
import { HopSpanProcessor } from '../src/hop-span-processor';
import { PROBE_ATTRIBUTES, spanLab } from './probe-spans';

/** A SpanExporter that keeps what it is given; `answers: false` makes export never call back. */
class RecordingExporter implements SpanExporter {
  readonly batches: ReadableSpan[][] = [];
  shutdowns = 0;
  flushes = 0;
  constructor(private readonly _options: { answers?: boolean; throws?: boolean } = {}) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (this._options.throws) throw new Error('exporter broke its contract');
    this.batches.push(spans);
    if (this._options.answers !== false) resultCallback({ code: ExportResultCode.SUCCESS });
  }

  forceFlush(): Promise<void> {
    this.flushes++;
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.shutdowns++;
    return Promise.resolve();
  }

  get exported(): ReadableSpan[] {
    return this.batches.flat();
  }
}

/** `count` finished probe hop spans, named hop-0, hop-1, ... */
function hopSpans(count: number): ReadableSpan[] {
  const lab = spanLab();
  for (let i = 0; i < count; i++) lab.start(`hop-${i}`, SpanKind.SERVER, PROBE_ATTRIBUTES).end();
  return lab.exporter.getFinishedSpans();
}

describe('HopSpanProcessor', () => {
  it('passes only probe hops to the exporter', async () => {
    const exporter = new RecordingExporter();
    const processor = new HopSpanProcessor(exporter, { scheduledDelayMs: 60_000 });
    const lab = spanLab({ spanProcessors: [processor] });

    const hop = lab.start('hop', SpanKind.CONSUMER, PROBE_ATTRIBUTES);
    const hopContext = trace.setSpan(ROOT_CONTEXT, hop);
    lab.start('probe child', SpanKind.INTERNAL, PROBE_ATTRIBUTES, hopContext).end();
    lab.start('probe call out', SpanKind.CLIENT, PROBE_ATTRIBUTES, hopContext).end();
    lab.start('probe nested server', SpanKind.SERVER, PROBE_ATTRIBUTES, hopContext).end();
    hop.end();
    lab.start('ordinary request', SpanKind.SERVER, {}).end();
    lab.start('ordinary consumer', SpanKind.CONSUMER, {}, ROOT_CONTEXT).end();
    await processor.forceFlush();

    expect(exporter.exported.map((s) => s.name)).toEqual(['hop']);
    expect(processor.stats.snapshot().droppedTotal).toBe(0);
  });

  it('never calls the exporter when there is only ordinary traffic', async () => {
    const exporter = new RecordingExporter();
    const processor = new HopSpanProcessor(exporter);
    const lab = spanLab({ spanProcessors: [processor] });
    for (let i = 0; i < 20; i++) lab.start('GET /', SpanKind.SERVER, {}).end();
    await processor.forceFlush();
    expect(exporter.batches).toEqual([]);
    expect(processor.queueLength).toBe(0);
  });

  it('exports on its own after the scheduled delay', async () => {
    const exporter = new RecordingExporter();
    const processor = new HopSpanProcessor(exporter, { scheduledDelayMs: 20 });
    const [span] = hopSpans(1);
    processor.onEnd(span!);
    expect(exporter.batches).toEqual([]);
    await vi.waitFor(() => expect(exporter.exported).toEqual([span]), { timeout: 2_000 });
    expect(processor.queueLength).toBe(0);
  });

  it('exports at once when a full batch is queued, without waiting for the delay', async () => {
    const exporter = new RecordingExporter();
    const processor = new HopSpanProcessor(exporter, { scheduledDelayMs: 60_000, maxExportBatchSize: 2 });
    const spans = hopSpans(2);
    for (const span of spans) processor.onEnd(span);
    await vi.waitFor(() => expect(exporter.batches).toEqual([spans]), { timeout: 2_000 });
  });

  it('bounds its queue: with maxQueueSize 3 and an exporter that never answers, extra hops are counted as queue_full', async () => {
    const exporter = new RecordingExporter({ answers: false });
    const processor = new HopSpanProcessor(exporter, { maxQueueSize: 3, scheduledDelayMs: 60_000 });
    const spans = hopSpans(12);

    for (const span of spans.slice(0, 5)) processor.onEnd(span);
    expect(processor.queueLength).toBe(3);
    expect(processor.stats.snapshot()).toMatchObject({ written: 0, droppedTotal: 2 });
    expect(processor.stats.snapshot().dropped.queue_full).toBe(2);

    // The full queue went out as one batch, whose export never finishes...
    await vi.waitFor(() => expect(exporter.batches).toHaveLength(1));
    expect(exporter.batches[0]).toEqual(spans.slice(0, 3));
    expect(processor.queueLength).toBe(0);

    // ...so the queue fills up again and stays bounded while that export hangs.
    for (const span of spans.slice(5)) processor.onEnd(span);
    expect(processor.queueLength).toBe(3);
    expect(processor.stats.snapshot().dropped.queue_full).toBe(2 + 4);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(exporter.batches).toHaveLength(1);

    // Spans that are not hops are not counted as drops.
    processor.onEnd(spanLab().finished('GET /', SpanKind.SERVER, {}));
    expect(processor.stats.snapshot().droppedTotal).toBe(6);
  });

  it('forceFlush exports everything queued, in batches of maxExportBatchSize, then flushes the exporter', async () => {
    const exporter = new RecordingExporter();
    const processor = new HopSpanProcessor(exporter, { maxExportBatchSize: 2, scheduledDelayMs: 60_000 });
    const spans = hopSpans(5);
    for (const span of spans) processor.onEnd(span);
    expect(exporter.batches).toEqual([]);

    await processor.forceFlush();
    expect(exporter.exported).toEqual(spans);
    for (const batch of exporter.batches) expect(batch.length).toBeLessThanOrEqual(2);
    expect(processor.queueLength).toBe(0);
    expect(exporter.flushes).toBe(1);
  });

  it('counts a batch whose exporter throws, and keeps going', async () => {
    const processor = new HopSpanProcessor(new RecordingExporter({ throws: true }), { scheduledDelayMs: 60_000 });
    for (const span of hopSpans(3)) processor.onEnd(span);
    await processor.forceFlush();
    expect(processor.stats.snapshot().dropped.redis_unavailable).toBe(3);
    expect(processor.queueLength).toBe(0);
  });

  it('shutdown flushes, shuts the exporter down once, and is idempotent; later hops count as shutdown', async () => {
    const exporter = new RecordingExporter();
    const processor = new HopSpanProcessor(exporter, { scheduledDelayMs: 60_000 });
    const [queued, late] = hopSpans(2);
    processor.onEnd(queued!);

    const first = processor.shutdown();
    const second = processor.shutdown();
    expect(second).toBe(first);
    await first;
    await processor.shutdown();
    expect(exporter.shutdowns).toBe(1);
    expect(exporter.exported).toEqual([queued]);

    processor.onEnd(late!);
    expect(processor.stats.snapshot().dropped.shutdown).toBe(1);
    expect(processor.queueLength).toBe(0);
    await processor.forceFlush();
    expect(exporter.exported).toEqual([queued]);
  });

  it('onEnd never throws, whatever it is given', () => {
    const processor = new HopSpanProcessor(new RecordingExporter());
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('no property for you');
        },
      },
    );
    const weird: unknown[] = [
      null,
      undefined,
      42,
      'span',
      {},
      { kind: SpanKind.SERVER },
      { kind: SpanKind.SERVER, attributes: null },
      {
        kind: SpanKind.SERVER,
        get attributes(): never {
          throw new Error('attributes exploded');
        },
      },
      {
        kind: SpanKind.SERVER,
        attributes: { 'hoptrace.run.id': 'run-1' },
        get parentSpanContext(): never {
          throw new Error('parent exploded');
        },
      },
      hostile,
    ];
    for (const value of weird) {
      expect(() => processor.onEnd(value as ReadableSpan)).not.toThrow();
    }
    expect(processor.queueLength).toBe(0);
  });

  it('shares the exporter stats when the exporter has them', () => {
    const stats = new HopExportStats();
    const exporter = Object.assign(new RecordingExporter(), { stats });
    expect(new HopSpanProcessor(exporter).stats).toBe(stats);
    const own = new HopExportStats();
    expect(new HopSpanProcessor(exporter, { stats: own }).stats).toBe(own);
  });

  it.each([
    [{ maxQueueSize: 0 }],
    [{ maxQueueSize: -1 }],
    [{ maxExportBatchSize: 1.5 }],
    [{ scheduledDelayMs: -5 }],
    [{ maxQueueSize: Number.NaN }],
  ])('refuses the option %j with HOPTRACE_CONFIG_INVALID', (options) => {
    let thrown: unknown;
    try {
      new HopSpanProcessor(new RecordingExporter(), options);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(HoptraceError);
    expect((thrown as HoptraceError).code).toBe('HOPTRACE_CONFIG_INVALID');
  });
});

describe('HopSpanProcessor exits', () => {
  /** A hop with three calls: answered, refused (no process), failed with a 503 answer. */
  async function hopWithCalls() {
    const exporter = new RecordingExporter();
    const processor = new HopSpanProcessor(exporter, { scheduledDelayMs: 60_000 });
    const lab = spanLab({ spanProcessors: [processor] });
    const hop = lab.start('hop', SpanKind.SERVER, PROBE_ATTRIBUTES);
    const inHop = trace.setSpan(ROOT_CONTEXT, hop);
    const call = (port: number) =>
      lab.start(
        'GET',
        SpanKind.CLIENT,
        { ...PROBE_ATTRIBUTES, 'server.address': '10.0.0.7', 'server.port': port },
        inHop,
      );
    const answered = call(7001);
    answered.setAttribute('http.response.status_code', 200);
    answered.end();
    const refused = call(7002);
    refused.recordException(Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:7002'), { code: 'ECONNREFUSED' }));
    refused.setStatus({ code: SpanStatusCode.ERROR, message: 'connect ECONNREFUSED 10.0.0.7:7002' });
    refused.end();
    const unavailable = call(7003);
    unavailable.setAttribute('http.response.status_code', 503);
    unavailable.setStatus({ code: SpanStatusCode.ERROR });
    unavailable.end();
    hop.end();
    await processor.forceFlush();
    const exported = exporter.exported.find((s) => s.name === 'hop')!;
    return {
      exits: exported.attributes['hoptrace.hop.exits'] as string[],
      ids: [answered, refused, unavailable].map((s) => s.spanContext().spanId),
    };
  }

  it('marks the call that reached no process with its error code, and only that one', async () => {
    const { exits, ids } = await hopWithCalls();
    expect(exits).toHaveLength(3);
    expect(exits[0]).toMatch(new RegExp(`^${ids[0]}:\\d+:10\\.0\\.0\\.7:7001$`));
    expect(exits[1]).toMatch(new RegExp(`^${ids[1]}:\\d+:10\\.0\\.0\\.7:7002\\|ECONNREFUSED$`));
    // An answer, even a failing one, came from a process: not unreached.
    expect(exits[2]).toMatch(new RegExp(`^${ids[2]}:\\d+:10\\.0\\.0\\.7:7003$`));
  });
});
