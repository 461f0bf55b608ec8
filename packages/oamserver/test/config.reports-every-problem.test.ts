import { describe, expect, it } from 'vitest';
import { problemsOf } from './support/config-problems';

describe('parseProbeConfig reports every problem at once, each with its path and line', () => {
  it('three mistakes in one probe: a bad duration, an unknown key, a URL that is not one', async () => {
    const error = await problemsOf(
      [
        'probes:', // 1
        '  - name: deposit-voicemail', // 2
        '    every: 10 seconds', // 3
        '    evry: 10s', // 4
        '    trigger:', // 5
        '      http:', // 6
        '        url: not a url', // 7
        '    path: [gateway, mailbox]', // 8
      ].join('\n'),
    );
    expect(error.code).toBe('HOPTRACE_CONFIG_INVALID');
    expect(error.issues.map(({ path, line }) => ({ path, line }))).toEqual([
      { path: 'probes.0.every', line: 3 },
      { path: 'probes.0.evry', line: 4 },
      { path: 'probes.0.trigger.http.url', line: 7 },
    ]);
    expect(error.issues[0]!.message).toMatch(/"10 seconds" is not a duration/);
    expect(error.issues[1]!.message).toMatch(/unknown key/);
    expect(error.issues[2]!.message).toMatch(/http:\/\/ or https:\/\/ URL/);
    // The message lists them all, for people.
    expect(error.message).toContain('in probes.yaml');
    expect(error.message).toContain('probes.0.every (line 3)');
    expect(error.message).toContain('probes.0.evry (line 4)');
    expect(error.message).toContain('probes.0.trigger.http.url (line 7)');
  });

  it('a budgeted hop that is not in the path is reported with the other mistakes of its probe', async () => {
    const error = await problemsOf(
      [
        'probes:', // 1
        '  - name: deposit-voicemail', // 2
        '    every: 10 seconds', // 3
        '    trigger: { http: { url: "not a url" } }', // 4
        '    path: [gateway, mailbox]', // 5
        '    budget:', // 6
        '      hops: { recorder: 200ms }', // 7
      ].join('\n'),
    );
    expect(error.issues.map(({ path, line }) => ({ path, line }))).toEqual([
      { path: 'probes.0.every', line: 3 },
      { path: 'probes.0.trigger.http.url', line: 4 },
      { path: 'probes.0.budget.hops.recorder', line: 7 },
    ]);
    expect(error.issues[2]!.message).toMatch(/"recorder" is not in this probe's path \(gateway, mailbox\)/);
  });

  it('problems across several probes and the top level', async () => {
    const error = await problemsOf(
      [
        'servr: { port: 4400 }', // 1
        'probes:', // 2
        '  - name: a', // 3
        '    every: 500ms', // 4
        '    trigger: { http: { url: "http://x.test/" } }', // 5
        '    path: [gateway]', // 6
        '  - name: b', // 7
        '    trigger: { http: { url: "ftp://x.test/" } }', // 8
        '    path: []', // 9
      ].join('\n'),
    );
    expect(error.issues.map(({ path, line }) => ({ path, line }))).toEqual([
      { path: 'servr', line: 1 },
      { path: 'probes.0.every', line: 4 },
      { path: 'probes.1.trigger.http.url', line: 8 },
      { path: 'probes.1.path', line: 9 },
    ]);
    expect(error.issues[1]!.message).toMatch(/shorter than the minimum 1s/);
    expect(error.issues[3]!.message).toMatch(/at least one service/);
  });

  it('duplicate probe names: the second is reported, pointing at the first', async () => {
    const error = await problemsOf(
      [
        'probes:', // 1
        '  - name: deposit-voicemail', // 2
        '    trigger: { http: { url: "http://x.test/" } }', // 3
        '    path: [gateway]', // 4
        '  - name: deposit-voicemail', // 5
        '    trigger: { http: { url: "http://x.test/" } }', // 6
        '    path: [gateway]', // 7
      ].join('\n'),
    );
    expect(error.issues).toEqual([
      { path: 'probes.1.name', line: 5, message: expect.stringMatching(/already the name of probes\.0/) },
    ]);
  });

  it('exactly one trigger kind: neither and both are refused', async () => {
    const error = await problemsOf(
      [
        'probes:', // 1
        '  - name: neither', // 2
        '    trigger: {}', // 3
        '    path: [gateway]', // 4
        '  - name: both', // 5
        '    trigger:', // 6
        '      http: { url: "http://x.test/" }', // 7
        '      redisStream: { stream: calls }', // 8
        '    path: [gateway]', // 9
      ].join('\n'),
    );
    expect(error.issues).toEqual([
      {
        path: 'probes.0.trigger',
        line: 3,
        message: 'give exactly one trigger kind (http, redisStream, rabbitmq, nats)',
      },
      {
        // Pointed at the second kind, the one to remove (or to move to a step of its own).
        path: 'probes.1.trigger.redisStream',
        line: 8,
        message: 'give exactly one trigger kind (http, redisStream, rabbitmq, nats), not http and redisStream',
      },
    ]);
  });

  it('no probes at all', async () => {
    expect((await problemsOf('probes: []\n')).issues).toEqual([
      { path: 'probes', line: 1, message: 'define at least one probe' },
    ]);
  });
});

describe('parseProbeConfig: YAML syntax errors', () => {
  it('a duplicate key is reported at its line', async () => {
    const error = await problemsOf(['probes:', '  - name: a', '    name: b', '    path: [gateway]'].join('\n'));
    expect(error.code).toBe('HOPTRACE_CONFIG_INVALID');
    expect(error.issues).toEqual([{ path: '(yaml)', line: 3, message: expect.stringMatching(/unique/) }]);
  });

  it('a tab used for indentation is reported at its line', async () => {
    const error = await problemsOf(['probes:', '  - name: a', '\tevery: 10s'].join('\n'));
    expect(error.issues[0]).toMatchObject({ path: '(yaml)', line: 3 });
  });

  it('every syntax error carries a line', async () => {
    const error = await problemsOf(
      ['probes:', '  - name: a', "    trigger: { http: { url: 'http://x.test/' }", '    path: [gateway]'].join('\n'),
    );
    expect(error.issues.length).toBeGreaterThan(0);
    for (const issue of error.issues) {
      expect(issue.path).toBe('(yaml)');
      expect(issue.line).toBeGreaterThanOrEqual(3);
      expect(issue.line).toBeLessThanOrEqual(4);
    }
  });
});
