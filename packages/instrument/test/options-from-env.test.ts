import { AlwaysOffSampler } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { optionsFromEnv } from '../src/options-from-env';

describe('optionsFromEnv', () => {
  it('gives defaults (all undefined), OTLP off and no issues for an empty environment', () => {
    const { disabled, options, issues } = optionsFromEnv({});
    expect(disabled).toBe(false);
    expect(issues).toEqual([]);
    expect(options.secret).toBeUndefined();
    expect(options.redisUrl).toBeUndefined();
    expect(options.sampler).toBeUndefined();
    expect(options.otlp).toBe(false);
    expect(Object.values(options.exporter ?? {}).filter((v) => v !== undefined)).toEqual([]);
    expect(options.hopQueue?.maxQueueSize).toBeUndefined();
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    [' true ', true],
    ['false', false],
    ['1', false],
    ['', false],
  ])('OTEL_SDK_DISABLED=%j disables: %s', (value, expected) => {
    expect(optionsFromEnv({ OTEL_SDK_DISABLED: value }).disabled).toBe(expected);
  });

  it('reads the hoptrace variables', () => {
    const { options, issues } = optionsFromEnv({
      HOPTRACE_SECRET: 'a-secret-of-at-least-16-chars',
      REDIS_URL: 'redis://cache:6379',
      HOPTRACE_KEY_PREFIX: 'staging:',
      HOPTRACE_HOP_TTL_MS: '60000',
      HOPTRACE_EXPORT_TIMEOUT_MS: '750',
      HOPTRACE_REDIS_COMMAND_TIMEOUT_MS: '250',
      HOPTRACE_MAX_QUEUE_SIZE: '64',
    });
    expect(issues).toEqual([]);
    expect(options.secret).toBe('a-secret-of-at-least-16-chars');
    expect(options.redisUrl).toBe('redis://cache:6379');
    expect(options.exporter).toEqual({
      keyPrefix: 'staging:',
      hopTtlMs: 60_000,
      exportTimeoutMs: 750,
      commandTimeoutMs: 250,
    });
    expect(options.hopQueue).toEqual({ maxQueueSize: 64 });
  });

  it.each(['soon', '0', '-5', '1.5', '1e3x'])(
    'reports HOPTRACE_HOP_TTL_MS=%j naming the variable, and keeps the default',
    (value) => {
      const { options, issues } = optionsFromEnv({ HOPTRACE_HOP_TTL_MS: value });
      expect(options.exporter?.hopTtlMs).toBeUndefined();
      expect(issues).toHaveLength(1);
      expect(issues[0]!.path).toBe('HOPTRACE_HOP_TTL_MS');
      expect(issues[0]!.message).toContain(value);
    },
  );

  it('reports every bad variable at once', () => {
    const { issues } = optionsFromEnv({
      HOPTRACE_EXPORT_TIMEOUT_MS: 'x',
      HOPTRACE_MAX_QUEUE_SIZE: 'y',
      OTEL_TRACES_SAMPLER: 'nope',
    });
    expect(issues.map((i) => i.path).sort()).toEqual([
      'HOPTRACE_EXPORT_TIMEOUT_MS',
      'HOPTRACE_MAX_QUEUE_SIZE',
      'OTEL_TRACES_SAMPLER',
    ]);
  });

  it('builds the sampler from OTEL_TRACES_SAMPLER, passing its issues on', () => {
    expect(optionsFromEnv({ OTEL_TRACES_SAMPLER: 'always_off' }).options.sampler).toBeInstanceOf(AlwaysOffSampler);
    const { options, issues } = optionsFromEnv({
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '2',
    });
    expect(options.sampler?.toString()).toContain('TraceIdRatioBased{1}');
    expect(issues.map((i) => i.path)).toEqual(['OTEL_TRACES_SAMPLER_ARG']);
  });

  describe('OTLP', () => {
    it('is off without an endpoint, even when OTEL_TRACES_EXPORTER=otlp', () => {
      expect(optionsFromEnv({ OTEL_TRACES_EXPORTER: 'otlp' }).options.otlp).toBe(false);
    });

    it('is on (http/protobuf) when OTEL_EXPORTER_OTLP_ENDPOINT is set', () => {
      const { options, issues } = optionsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' });
      expect(options.otlp).toEqual({ protocol: 'http/protobuf' });
      expect(issues).toEqual([]);
    });

    it('is on when only the traces endpoint is set', () => {
      const env = { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' };
      expect(optionsFromEnv(env).options.otlp).toEqual({ protocol: 'http/protobuf' });
    });

    it('is off when OTEL_TRACES_EXPORTER=none, whatever the endpoint', () => {
      const { options, issues } = optionsFromEnv({
        OTEL_TRACES_EXPORTER: ' None ',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      });
      expect(options.otlp).toBe(false);
      expect(issues).toEqual([]);
    });

    it('reports an exporter it does not support, and still uses OTLP when an endpoint is set', () => {
      const { options, issues } = optionsFromEnv({
        OTEL_TRACES_EXPORTER: 'zipkin',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      });
      expect(options.otlp).toEqual({ protocol: 'http/protobuf' });
      expect(issues.map((i) => i.path)).toEqual(['OTEL_TRACES_EXPORTER']);
      expect(issues[0]!.message).toContain('zipkin');
    });

    it.each([
      [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }, 'http/json'],
      [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' }, 'http/protobuf'],
      [{ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' }, 'http/json'],
      [
        { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
        'http/protobuf',
      ],
    ])('chooses the protocol from %j: %s', (env, protocol) => {
      const { options, issues } = optionsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', ...env });
      expect(options.otlp).toEqual({ protocol });
      expect(issues).toEqual([]);
    });

    it('reports an unsupported protocol naming the variable that holds it, and uses http/protobuf', () => {
      const general = optionsFromEnv({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      });
      expect(general.options.otlp).toEqual({ protocol: 'http/protobuf' });
      expect(general.issues.map((i) => i.path)).toEqual(['OTEL_EXPORTER_OTLP_PROTOCOL']);
      expect(general.issues[0]!.message).toContain('grpc');

      const traces = optionsFromEnv({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc',
      });
      expect(traces.options.otlp).toEqual({ protocol: 'http/protobuf' });
      expect(traces.issues.map((i) => i.path)).toEqual(['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL']);
    });
  });

  describe('HOPTRACE_PROPAGATE_TO', () => {
    it('is left to the defaults when unset or blank', () => {
      expect(optionsFromEnv({}).options.propagateTo).toBeUndefined();
      expect(optionsFromEnv({ HOPTRACE_PROPAGATE_TO: '  ' }).options.propagateTo).toBeUndefined();
    });

    it('passes the valid entries on, normalized', () => {
      const { options, issues } = optionsFromEnv({ HOPTRACE_PROPAGATE_TO: 'defaults, *.Partner.example 10.0.0.0/8' });
      expect(issues).toEqual([]);
      expect(options.propagateTo).toEqual(['defaults', '*.partner.example', '10.0.0.0/8']);
    });

    it('reports each bad entry naming the variable, and keeps the others', () => {
      const { options, issues } = optionsFromEnv({ HOPTRACE_PROPAGATE_TO: 'billing,http://x,10.0.0.0/40' });
      expect(options.propagateTo).toEqual(['billing']);
      expect(issues.map((i) => i.path)).toEqual(['HOPTRACE_PROPAGATE_TO', 'HOPTRACE_PROPAGATE_TO']);
      expect(issues[0]!.message).toContain('http://x');
      expect(issues[1]!.message).toContain('10.0.0.0/40');
    });
  });
});
