import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { afterEach, describe, expect, it } from 'vitest';
import { readEnvironment, requireOtlpProtocol } from '../src/cli/environment';
import { CliError, EXIT } from '../src/cli/exit-codes';
import { otlpExporterFor, type OtlpProtocol } from '../src/telemetry/probe-tracer';

function protocolOf(env: Record<string, string>): OtlpProtocol {
  return requireOtlpProtocol(readEnvironment(env));
}

function errorOf(env: Record<string, string>): CliError {
  try {
    protocolOf(env);
  } catch (error) {
    if (error instanceof CliError) return error;
    throw error;
  }
  throw new Error(`no error for ${JSON.stringify(env)}`);
}

describe('the OTLP protocol of the root spans', () => {
  it('is http/protobuf when nothing is set, as OpenTelemetry says', () => {
    expect(protocolOf({})).toBe('http/protobuf');
    expect(protocolOf({ OTEL_EXPORTER_OTLP_PROTOCOL: '' })).toBe('http/protobuf');
  });

  it.each([
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }, 'http/json'],
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' }, 'http/protobuf'],
    [{ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: ' http/json ' }, 'http/json'],
    // The traces-specific variable wins over the general one, both ways.
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' }, 'http/json'],
    [
      { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf' },
      'http/protobuf',
    ],
  ])('%j gives %s', (env, expected) => {
    expect(protocolOf(env)).toBe(expected);
  });

  it('refuses grpc as a usage error naming the variable and the accepted values', () => {
    const error = errorOf({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' });
    expect(error.exitCode).toBe(EXIT.USAGE);
    expect(error.message).toMatch(/^OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" is not supported by hoptrace/);
    expect(error.message).toContain('(use http/protobuf or http/json)');
    expect(error.message).toContain('4318');
  });

  it('names the traces variable when that is the bad one, even with a good general one', () => {
    const error = errorOf({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'json' });
    expect(error.message).toBe(
      'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "json" is not supported by hoptrace (use http/protobuf or http/json)',
    );
  });

  it.each(['HTTP/JSON', 'http/proto', 'http'])('refuses %j (OTel names are exact)', (value) => {
    expect(errorOf({ OTEL_EXPORTER_OTLP_PROTOCOL: value }).message).toContain(`"${value}"`);
  });
});

describe('otlpExporterFor', () => {
  const exporters: { shutdown(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(exporters.splice(0).map((e) => e.shutdown()));
  });

  it('builds the JSON exporter for http/json and the protobuf one otherwise', () => {
    const json = otlpExporterFor('http/json');
    const proto = otlpExporterFor('http/protobuf');
    const byDefault = otlpExporterFor();
    exporters.push(json, proto, byDefault);
    expect(json).toBeInstanceOf(OtlpJsonExporter);
    expect(proto).toBeInstanceOf(OtlpProtoExporter);
    expect(byDefault).toBeInstanceOf(OtlpProtoExporter);
  });
});
