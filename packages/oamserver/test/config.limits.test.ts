import { describe, expect, it } from 'vitest';
import { parseProbeConfig } from '../src/config/load-probe-config';
import { problemsOf } from './support/config-problems';

const PROBES = `probes:
  - name: ping
    trigger: { http: { url: 'https://example.test/ping' } }
    path: [gateway]
`;

describe('config limits and incidents.serviceWideMinInstances', () => {
  it('absent, every cap gets its default, sized for 1,000+ instances', async () => {
    const config = await parseProbeConfig(PROBES);
    expect(config.limits).toEqual({
      statsSeries: 20_000,
      baselineSeries: 20_000,
      metricInstancesPerService: 200,
      peerAddresses: 10_000,
      runsInFlight: 10_000,
    });
    expect(config.incidents.serviceWideMinInstances).toBe(3);
  });

  it('an empty section, or one field, keeps the defaults of the others', async () => {
    expect((await parseProbeConfig(`${PROBES}limits: {}\n`)).limits.statsSeries).toBe(20_000);
    const config = await parseProbeConfig(
      `${PROBES}limits: { metricInstancesPerService: 2 }\nincidents: { openAfter: 3 }\n`,
    );
    expect(config.limits).toMatchObject({ metricInstancesPerService: 2, statsSeries: 20_000, runsInFlight: 10_000 });
    expect(config.incidents).toMatchObject({ openAfter: 3, serviceWideMinInstances: 3 });
  });

  it('reads the documented example', async () => {
    const config = await parseProbeConfig(`${PROBES}limits:
  statsSeries: 50000
  baselineSeries: 30000
  metricInstancesPerService: 300
  peerAddresses: 20000
  runsInFlight: 20000
incidents:
  serviceWideMinInstances: 5
`);
    expect(config.limits).toEqual({
      statsSeries: 50_000,
      baselineSeries: 30_000,
      metricInstancesPerService: 300,
      peerAddresses: 20_000,
      runsInFlight: 20_000,
    });
    expect(config.incidents.serviceWideMinInstances).toBe(5);
  });

  it('a value out of bounds, not an integer or misspelt is a config error naming the field and its line', async () => {
    const error = await problemsOf(
      [
        PROBES.trimEnd(), // 1-4
        'limits:', // 5
        '  statsSeries: 2000000', // 6
        '  baselineSeries: 50', // 7
        '  metricInstancesPerService: 2.5', // 8
        '  peerAddresses: 0', // 9
        '  runsInFlight: 1e9', // 10
        '  statSeries: 100', // 11
        'incidents:', // 12
        '  serviceWideMinInstances: 17', // 13
      ].join('\n'),
    );
    expect(error.code).toBe('HOPTRACE_CONFIG_INVALID');
    expect(error.issues.map(({ path, line }) => ({ path, line }))).toEqual([
      { path: 'limits.statsSeries', line: 6 },
      { path: 'limits.baselineSeries', line: 7 },
      { path: 'limits.metricInstancesPerService', line: 8 },
      { path: 'limits.peerAddresses', line: 9 },
      { path: 'limits.runsInFlight', line: 10 },
      { path: 'limits.statSeries', line: 11 },
      { path: 'incidents.serviceWideMinInstances', line: 13 },
    ]);
    const message = (path: string) => error.issues.find((i) => i.path === path)!.message;
    expect(message('limits.statsSeries')).toMatch(/<=\s*200000/);
    expect(message('limits.baselineSeries')).toMatch(/>=\s*100/);
    expect(message('limits.metricInstancesPerService')).toMatch(/expected int/);
    expect(message('limits.statSeries')).toMatch(/unknown key/);
    expect(message('incidents.serviceWideMinInstances')).toMatch(/<=\s*16/);
    expect(error.message).toContain('limits.statsSeries (line 6)');
  });

  it('serviceWideMinInstances below 2 is refused (one instance is what instance incidents are for)', async () => {
    const error = await problemsOf(`${PROBES}incidents: { serviceWideMinInstances: 1 }\n`);
    expect(error.issues).toEqual([
      { path: 'incidents.serviceWideMinInstances', line: 5, message: expect.stringMatching(/>=\s*2/) },
    ]);
  });
});
