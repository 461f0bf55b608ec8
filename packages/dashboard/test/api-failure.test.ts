import { describe, expect, it } from 'vitest';
import { describeFailure, describeIssues } from '../src/lib/api-failure';

describe('API failures in words', () => {
  it('names the field a 400 refused', () => {
    const m = describeFailure(
      {
        kind: 'http',
        url: '/api/runs',
        status: 400,
        error: { error: 'verdict must be one or more of ok, slow', code: 'HOPTRACE_API_BAD_REQUEST', field: 'verdict' },
      },
      'runs',
    );
    expect(m.title).toBe('The server refused the filter "verdict"');
    expect(m.message).toBe('verdict must be one or more of ok, slow');
    expect(m.field).toBe('verdict');
    expect(m.notFound).toBe(false);
  });

  it('tells an unknown run apart from trouble', () => {
    const m = describeFailure(
      { kind: 'http', url: '/api/runs/x', status: 404, error: { error: 'no run x', code: 'HOPTRACE_API_NOT_FOUND' } },
      'run x',
    );
    expect(m).toMatchObject({ title: 'Not found: run x', notFound: true });
  });

  it('explains storage trouble and an unreachable server', () => {
    const storage = describeFailure(
      {
        kind: 'http',
        url: '/api/overview',
        status: 503,
        error: { error: 'storage unavailable', code: 'HOPTRACE_REDIS_UNAVAILABLE', detail: 'ECONNREFUSED' },
      },
      'the overview',
    );
    expect(storage.title).toBe('Storage is unavailable');
    expect(storage.detail).toBe('ECONNREFUSED');
    expect(describeFailure({ kind: 'network', url: '/api/meta', message: 'Failed to fetch' }, 'x').title).toBe(
      'The Oamserver did not answer',
    );
    expect(describeFailure({ kind: 'http', url: '/', status: 502, text: 'Bad Gateway' }, 'x')).toMatchObject({
      title: 'The Oamserver answered HTTP 502',
      message: 'Bad Gateway',
    });
  });

  it('says the server answered something unexpected, and what', () => {
    const lines = describeIssues([
      { path: ['probes', 0, 'stats', 'count'], message: 'expected number, received string' },
      { path: [], message: 'bad' },
    ]);
    expect(lines).toEqual(['probes.0.stats.count: expected number, received string', '(the whole answer): bad']);
    const m = describeFailure({ kind: 'unexpected', url: '/api/overview', problems: lines }, 'the overview');
    expect(m.title).toBe('The server answered something unexpected');
    expect(m.detail).toContain('probes.0.stats.count');
    expect(
      describeIssues(
        Array.from({ length: 8 }, () => ({ path: ['a'], message: 'm' })),
        5,
      ),
    ).toHaveLength(6);
  });
});
