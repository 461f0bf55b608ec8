import {
  createContextKey,
  type Attributes,
  type AttributeValue,
  type Context,
  type HrTime,
  type SpanContext,
  type SpanKind,
  type SpanStatus,
} from '@opentelemetry/api';

/*
 * The parts of the OpenTelemetry trace SDK's contracts that hoptrace uses, declared here so that
 * the exporter loads no SDK and works under both lines: SDK 2.x (`@opentelemetry/sdk-trace-base`,
 * api 1.3-1.9) and SDK 3.x (`@opentelemetry/sdk-trace`, api 1.10). Both lines define these shapes
 * the same way; TypeScript checks ours against each in the tests (test/sdk-contract.test.ts for
 * 2.x, the SDK 3 suite for 3.x).
 */

/** An event on a span (`exception` events carry the error). */
export interface HopSpanEvent {
  readonly name: string;
  readonly attributes?: Attributes;
}

/** A finished span, as a span processor's `onEnd` and an exporter's `export` receive it. */
export interface ReadableSpan {
  readonly name: string;
  readonly kind: SpanKind;
  spanContext(): SpanContext;
  readonly parentSpanContext?: SpanContext;
  readonly startTime: HrTime;
  readonly duration: HrTime;
  readonly status: SpanStatus;
  readonly attributes: Attributes;
  readonly events: readonly HopSpanEvent[];
  readonly resource: {
    readonly attributes: Attributes;
    readonly asyncAttributesPending?: boolean;
    waitForAsyncAttributes?(): Promise<void>;
  };
}

/** A live span, as a span processor's `onStart` and `onEnding` receive it. */
export interface Span extends ReadableSpan {
  setAttribute(key: string, value: AttributeValue): unknown;
}

/** What an exporter answers (`ExportResultCode` of `@opentelemetry/core`, the same in 2.x and 3.x). */
export enum ExportResultCode {
  SUCCESS = 0,
  FAILED = 1,
}

export interface ExportResult {
  code: ExportResultCode;
  error?: Error;
}

/** An SDK span exporter. */
export interface SpanExporter {
  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void;
  shutdown(): Promise<void>;
  forceFlush?(): Promise<void>;
}

/** An SDK span processor. */
export interface SpanProcessor {
  forceFlush(): Promise<void>;
  onStart(span: Span, parentContext: Context): void;
  onEnding?(span: Span): void;
  onEnd(span: ReadableSpan): void;
  shutdown(): Promise<void>;
}

/**
 * The context key with which the SDK's `suppressTracing()` tells instrumentations not to trace
 * (`@opentelemetry/core` creates it with this description; `createContextKey` makes it a
 * `Symbol.for`, so every copy and line of core shares it).
 */
const SUPPRESS_TRACING_KEY = createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING');

/** `context` with tracing suppressed, as `@opentelemetry/core`'s `suppressTracing` does. */
export function suppressTracing(context: Context): Context {
  return context.setValue(SUPPRESS_TRACING_KEY, true);
}

/** Whether tracing is suppressed in `context`, as `@opentelemetry/core`'s `isTracingSuppressed`. */
export function isTracingSuppressed(context: Context): boolean {
  return context.getValue(SUPPRESS_TRACING_KEY) === true;
}
