import { describe, expect, it } from 'vitest';
import type { ConfigIssue } from '@hoptrace/core';
import { defaultMode, describeMode, modeFromEnv } from '../src/mode';
import { optionsFromEnv } from '../src/options-from-env';

describe('the mode', () => {
  it.each([
    ['full', 'full'],
    ['probe-only', 'probe-only'],
    [' Probe-Only ', 'probe-only'],
    ['FULL', 'full'],
  ])('HOPTRACE_MODE=%j is %s', (raw, mode) => {
    const issues: ConfigIssue[] = [];
    expect(modeFromEnv(raw, issues)).toBe(mode);
    expect(issues).toEqual([]);
  });

  it.each([undefined, '', '  '])('HOPTRACE_MODE=%j leaves the choice to the default, quietly', (raw) => {
    const issues: ConfigIssue[] = [];
    expect(modeFromEnv(raw, issues)).toBeUndefined();
    expect(issues).toEqual([]);
  });

  it.each(['probe', 'probeonly', 'off', 'probe_only'])('HOPTRACE_MODE=%j is reported, naming the variable', (raw) => {
    const { options, issues } = optionsFromEnv({ HOPTRACE_MODE: raw });
    expect(options.mode).toBeUndefined();
    expect(issues).toEqual([{ path: 'HOPTRACE_MODE', message: expect.stringContaining(`"${raw}"`) as string }]);
    expect(issues[0]!.message).toContain('full or probe-only');
  });

  it('is probe-only by default, full when ordinary spans have somewhere to go', () => {
    expect(defaultMode({})).toBe('probe-only');
    expect(defaultMode({ otlp: false, spanProcessors: [] })).toBe('probe-only');
    expect(defaultMode({ otlp: { protocol: 'http/json' } })).toBe('full');
    expect(defaultMode({ spanProcessors: [{}] })).toBe('full');
  });

  it('follows an OTLP endpoint in the environment, unless HOPTRACE_MODE says otherwise', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318' };
    expect(defaultMode(optionsFromEnv(endpoint).options)).toBe('full');
    expect(optionsFromEnv({ ...endpoint, HOPTRACE_MODE: 'probe-only' }).options.mode).toBe('probe-only');
    expect(defaultMode(optionsFromEnv({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' }).options)).toBe('probe-only');
  });

  it('is described in one line that says why when it was not chosen', () => {
    expect(describeMode('probe-only', false)).toMatch(/^mode probe-only \(no OTLP endpoint/);
    expect(describeMode('probe-only', true)).toMatch(/^mode probe-only: only probe requests are traced/);
    expect(describeMode('full', false)).toMatch(/^mode full \(an OTLP endpoint/);
    expect(describeMode('full', true)).toMatch(/^mode full: every request is traced/);
  });
});
