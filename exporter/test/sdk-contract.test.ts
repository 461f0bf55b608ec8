import { ROOT_CONTEXT, context } from '@opentelemetry/api';
import * as core from '@opentelemetry/core';
import type * as sdk from '@opentelemetry/sdk-trace-base';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  ExportResultCode,
  isTracingSuppressed,
  suppressTracing,
  type ReadableSpan,
  type Span,
  type SpanExporter,
  type SpanProcessor,
} from '../src/sdk-contract';
import type { HopSpanProcessor } from '../src/hop-span-processor';
import type { RedisHopExporter } from '../src/redis-hop-exporter';

// The exporter declares the SDK shapes it uses instead of importing an SDK line. These checks
// keep the declarations honest against the 2.x SDK (the 3.x suite, test/sdk3, runs the same
// processor inside a 3.x SDK).
describe('the SDK contract the exporter declares', () => {
  it('accepts the SDK 2.x span types, and its processor and exporter fit the SDK 2.x interfaces', () => {
    expectTypeOf<sdk.ReadableSpan>().toExtend<ReadableSpan>();
    expectTypeOf<sdk.Span>().toExtend<Span>();
    expectTypeOf<HopSpanProcessor>().toExtend<sdk.SpanProcessor>();
    expectTypeOf<RedisHopExporter>().toExtend<sdk.SpanExporter>();
    expectTypeOf<sdk.SpanExporter>().toExtend<SpanExporter>();
    expectTypeOf<sdk.SpanProcessor>().toExtend<SpanProcessor>();
  });

  it('has the export result codes of @opentelemetry/core', () => {
    expect(ExportResultCode.SUCCESS).toBe(core.ExportResultCode.SUCCESS);
    expect(ExportResultCode.FAILED).toBe(core.ExportResultCode.FAILED);
  });

  it('suppresses tracing with the key @opentelemetry/core uses, both ways', () => {
    expect(core.isTracingSuppressed(suppressTracing(ROOT_CONTEXT))).toBe(true);
    expect(isTracingSuppressed(core.suppressTracing(ROOT_CONTEXT))).toBe(true);
    expect(isTracingSuppressed(context.active())).toBe(false);
    expect(isTracingSuppressed(core.unsuppressTracing(suppressTracing(ROOT_CONTEXT)))).toBe(false);
  });
});
