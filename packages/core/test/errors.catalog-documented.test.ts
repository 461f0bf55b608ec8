import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, ERROR_CODES, HoptraceError, type HoptraceErrorCode } from '../src/errors';

const docsPath = join(__dirname, '..', '..', '..', 'docs', 'errors.md');
const docs = readFileSync(docsPath, 'utf8');

/** The `## HOPTRACE_...` sections of docs/errors.md, by code. */
function documentedSections(): Map<string, string> {
  const sections = new Map<string, string>();
  const parts = docs.split(/^## /m).slice(1);
  for (const part of parts) {
    const newline = part.indexOf('\n');
    const heading = part.slice(0, newline).trim();
    if (/^HOPTRACE_/.test(heading)) sections.set(heading, part.slice(newline + 1));
  }
  return sections;
}

describe('error catalog and docs/errors.md', () => {
  const codes = Object.keys(ERROR_CODES);
  const sections = documentedSections();

  it('the catalog is not empty and every code is spelled HOPTRACE_UPPER_CASE', () => {
    expect(codes.length).toBeGreaterThan(0);
    for (const code of codes) expect(code).toMatch(/^HOPTRACE_[A-Z]+(_[A-Z]+)*$/);
  });

  it('documents every code of ERROR_CODES', () => {
    expect(codes.filter((code) => !sections.has(code))).toEqual([]);
  });

  it('documents no code that ERROR_CODES does not have', () => {
    expect([...sections.keys()].filter((code) => !(code in ERROR_CODES))).toEqual([]);
  });

  it('documents each code once', () => {
    const headings = [...docs.matchAll(/^## (HOPTRACE_\S+)/gm)].map((m) => m[1]);
    expect(headings.length).toBe(new Set(headings).size);
  });

  it('says, for each code, what it means, where it appears and what to do', () => {
    for (const [code, body] of sections) {
      for (const part of ['**What it means.**', '**Where it appears.**', '**What to do.**']) {
        expect(body.includes(part), `${code} lacks ${part}`).toBe(true);
      }
    }
  });
});

describe('error classes', () => {
  it('HoptraceError carries its code, message and cause', () => {
    const cause = new Error('socket closed');
    const error = new HoptraceError('HOPTRACE_REDIS_UNAVAILABLE', 'could not write', { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('HoptraceError');
    expect(error.code).toBe<HoptraceErrorCode>('HOPTRACE_REDIS_UNAVAILABLE');
    expect(error.message).toBe('could not write');
    expect(error.cause).toBe(cause);
  });

  it('ConfigError lists every issue with its path and line, under HOPTRACE_CONFIG_INVALID', () => {
    const error = new ConfigError(
      [
        { path: 'probes.0.every', message: 'must be a duration', line: 7 },
        { path: 'HOPTRACE_SECRET', message: 'is not set' },
      ],
      'probes.yaml',
    );
    expect(error).toBeInstanceOf(HoptraceError);
    expect(error.name).toBe('ConfigError');
    expect(error.code).toBe('HOPTRACE_CONFIG_INVALID');
    expect(error.issues).toHaveLength(2);
    expect(error.message).toBe(
      'invalid configuration in probes.yaml:\n' +
        '  - probes.0.every (line 7): must be a duration\n' +
        '  - HOPTRACE_SECRET: is not set',
    );
  });
});
