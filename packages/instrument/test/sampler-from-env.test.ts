import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  SamplingDecision,
  TraceIdRatioBasedSampler,
  type Sampler,
} from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import type { ConfigIssue } from '@hoptrace/core';
import { ENV_SAMPLERS, samplerFromEnv } from '../src/sampler-from-env';

const TRACE_ID = 'ffffffffffffffffffffffffffffffff';
const unsampledParent = trace.setSpanContext(ROOT_CONTEXT, {
  traceId: TRACE_ID,
  spanId: 'b7ad6b7169203331',
  traceFlags: 0,
  isRemote: true,
});

function decide(sampler: Sampler, context = ROOT_CONTEXT): SamplingDecision {
  return sampler.shouldSample(context, TRACE_ID, 'span', SpanKind.SERVER, {}, []).decision;
}

describe('samplerFromEnv', () => {
  it('uses parentbased_always_on when nothing is set', () => {
    const issues: ConfigIssue[] = [];
    const sampler = samplerFromEnv(undefined, undefined, issues);
    expect(sampler).toBeInstanceOf(ParentBasedSampler);
    expect(decide(sampler)).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide(sampler, unsampledParent)).toBe(SamplingDecision.NOT_RECORD);
    expect(sampler.toString()).toContain('root=AlwaysOnSampler');
    expect(issues).toEqual([]);
  });

  it('knows the six names of the OpenTelemetry spec', () => {
    expect([...ENV_SAMPLERS]).toEqual([
      'always_on',
      'always_off',
      'traceidratio',
      'parentbased_always_on',
      'parentbased_always_off',
      'parentbased_traceidratio',
    ]);
  });

  it('builds each named sampler', () => {
    const issues: ConfigIssue[] = [];
    expect(samplerFromEnv('always_on', undefined, issues)).toBeInstanceOf(AlwaysOnSampler);
    expect(samplerFromEnv('always_off', undefined, issues)).toBeInstanceOf(AlwaysOffSampler);
    const ratio = samplerFromEnv('traceidratio', '0.25', issues);
    expect(ratio).toBeInstanceOf(TraceIdRatioBasedSampler);
    expect(ratio.toString()).toBe('TraceIdRatioBased{0.25}');
    const parentOn = samplerFromEnv('parentbased_always_on', undefined, issues);
    expect(parentOn.toString()).toContain('root=AlwaysOnSampler');
    const parentOff = samplerFromEnv('parentbased_always_off', undefined, issues);
    expect(parentOff).toBeInstanceOf(ParentBasedSampler);
    expect(parentOff.toString()).toContain('root=AlwaysOffSampler');
    expect(decide(parentOff)).toBe(SamplingDecision.NOT_RECORD);
    const parentRatio = samplerFromEnv('parentbased_traceidratio', '0.1', issues);
    expect(parentRatio).toBeInstanceOf(ParentBasedSampler);
    expect(parentRatio.toString()).toContain('root=TraceIdRatioBased{0.1}');
    expect(issues).toEqual([]);
  });

  it('reads the name case-insensitively and trims it', () => {
    expect(samplerFromEnv(' ALWAYS_OFF ', undefined)).toBeInstanceOf(AlwaysOffSampler);
  });

  it('uses ratio 1 when the argument is missing', () => {
    const issues: ConfigIssue[] = [];
    expect(samplerFromEnv('traceidratio', undefined, issues).toString()).toBe('TraceIdRatioBased{1}');
    expect(samplerFromEnv('traceidratio', ' ', issues).toString()).toBe('TraceIdRatioBased{1}');
    expect(issues).toEqual([]);
  });

  it('honours ratio 0 (samples nothing)', () => {
    expect(decide(samplerFromEnv('traceidratio', '0'))).toBe(SamplingDecision.NOT_RECORD);
  });

  it.each(['abc', '1.5', '-0.1', 'NaN', 'Infinity'])(
    'reports the bad ratio %j naming OTEL_TRACES_SAMPLER_ARG, and uses 1',
    (arg) => {
      const issues: ConfigIssue[] = [];
      const sampler = samplerFromEnv('parentbased_traceidratio', arg, issues);
      expect(sampler.toString()).toContain('root=TraceIdRatioBased{1}');
      expect(issues).toHaveLength(1);
      expect(issues[0]!.path).toBe('OTEL_TRACES_SAMPLER_ARG');
      expect(issues[0]!.message).toContain(arg);
    },
  );

  it('reports an unknown name naming OTEL_TRACES_SAMPLER and falls back to parentbased_always_on', () => {
    const issues: ConfigIssue[] = [];
    const sampler = samplerFromEnv('jaeger_remote', undefined, issues);
    expect(sampler).toBeInstanceOf(ParentBasedSampler);
    expect(sampler.toString()).toContain('root=AlwaysOnSampler');
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe('OTEL_TRACES_SAMPLER');
    expect(issues[0]!.message).toContain('jaeger_remote');
    expect(issues[0]!.message).toContain('parentbased_always_on');
  });

  it('does not read the argument of a sampler that takes none', () => {
    const issues: ConfigIssue[] = [];
    samplerFromEnv('always_on', 'not-a-number', issues);
    expect(issues).toEqual([]);
  });
});
