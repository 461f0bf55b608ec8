import { describe, expect, it } from 'vitest';
import { parseProbeConfig } from '../src/config/load-probe-config';
import { problemsOf } from './support/config-problems';

/** A one-probe config whose path (and budget) are the given YAML lines, from line 4 on. */
function probeWithPath(...lines: string[]): string {
  return [
    'probes:', // 1
    '  - name: deposit-voicemail', // 2
    "    trigger: { http: { url: 'http://127.0.0.1:7001/calls' } }", // 3
    ...lines,
  ].join('\n');
}

describe('parseProbeConfig: richer expected paths', () => {
  it('reads optional services, a group in any order and a service named twice', async () => {
    const config = await parseProbeConfig(
      probeWithPath(
        '    path:',
        '      - gateway',
        '      - { service: cache, optional: true }',
        '      - anyOrder: [mailbox, { service: recorder, optional: true }]',
        '      - gateway',
        // Budgets are per service: any service of the path, in a group or optional.
        '    budget: { hops: { cache: 20ms, recorder: 200ms } }',
      ),
    );
    const path = [
      'gateway',
      { service: 'cache', optional: true },
      { anyOrder: ['mailbox', { service: 'recorder', optional: true }] },
      'gateway',
    ];
    expect(config.probes[0]!.path).toEqual(path);
    expect(config.probes[0]!.steps[0]!.path).toEqual(path);
  });

  it('a plain list of names reads as before', async () => {
    const config = await parseProbeConfig(probeWithPath('    path: [gateway, mailbox, gateway]'));
    expect(config.probes[0]!.path).toEqual(['gateway', 'mailbox', 'gateway']);
  });

  it('a group of one service is refused, at its path and line', async () => {
    const error = await problemsOf(probeWithPath('    path:', '      - gateway', '      - anyOrder: [mailbox]'));
    expect(error.issues).toEqual([
      {
        path: 'probes.0.path.1.anyOrder',
        line: 6,
        message: 'a group names at least 2 services (a single one needs no group)',
      },
    ]);
  });

  it('optional must be true or false, at its path and line', async () => {
    const error = await problemsOf(
      probeWithPath('    path:', '      - gateway', "      - { service: cache, optional: 'yes' }", '      - mailbox'),
    );
    expect(error.issues).toEqual([{ path: 'probes.0.path.1.optional', line: 6, message: 'must be true or false' }]);
    expect(error.message).toContain('probes.0.path.1.optional (line 6)');
  });

  it('every mistake of a path at once: a misspelt key, a nested group, something that is not a step', async () => {
    const error = await problemsOf(
      probeWithPath(
        '    path:', // 4
        '      - { service: cache, optinal: true }', // 5
        '      - anyOrder: [{ anyOrder: [a, b] }, c]', // 6
        '      - 42', // 7
      ),
    );
    expect(error.issues.map(({ path, line }) => ({ path, line }))).toEqual([
      { path: 'probes.0.path.0.optinal', line: 5 },
      { path: 'probes.0.path.1.anyOrder.0', line: 6 },
      { path: 'probes.0.path.2', line: 7 },
    ]);
    expect(error.issues.map((issue) => issue.message)).toEqual([
      'unknown key (check its spelling)',
      'groups do not nest: list services in a group',
      'expected a service name, { service: <name>, optional: true } or { anyOrder: [<services>] }',
    ]);
  });

  it('a budgeted service must be somewhere in the path, group members and optional ones included', async () => {
    const error = await problemsOf(
      probeWithPath(
        '    path: [gateway, { service: cache, optional: true }, { anyOrder: [mailbox, recorder] }]', // 4
        '    budget: { hops: { recorder: 200ms, storage: 100ms } }', // 5
      ),
    );
    expect(error.issues).toEqual([
      {
        path: 'probes.0.budget.hops.storage',
        line: 5,
        message: `"storage" is not in this probe's path (gateway, cache, mailbox, recorder)`,
      },
    ]);
  });

  it('an instance label may name a service that is only in a group', async () => {
    const config = await parseProbeConfig(
      [
        probeWithPath('    path: [gateway, { anyOrder: [mailbox, recorder] }]'),
        'metrics: { instanceLabels: [recorder] }',
      ].join('\n'),
    );
    expect(config.metrics?.instanceLabels).toEqual(['recorder']);
  });
});
