import { readFile } from 'node:fs/promises';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setFaults, startDemo, type RunningDemo } from '../support/demo';
import { runCli } from '../support/oamserver';
import { uniquePrefix } from '../support/redis';

/** The demo's probes (demo/probes.yaml), every one enabled. */
const DEMO_PROBES = [
  'deposit-voicemail',
  'retrieve-voicemail',
  'update-greeting',
  'voicemail-journey',
  'call-voicemail',
];

interface TestCase {
  '@_name': string;
  '@_classname': string;
  '@_time'?: string;
  properties?: { property: { '@_name': string; '@_value': string }[] };
  failure?: { '@_message': string; '@_type': string };
  error?: { '@_message': string; '@_type': string };
}

/** The report parsed as XML by an independent parser: a malformed file throws here. */
async function readReport(file: string) {
  const text = await readFile(file, 'utf8');
  const parser = new XMLParser({
    ignoreAttributes: false,
    isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name),
  });
  const xml = parser.parse(text, true) as {
    testsuites: {
      '@_tests': string;
      '@_failures': string;
      '@_errors': string;
      testsuite: { '@_name': string; testcase: TestCase[] }[];
    };
  };
  const suite = xml.testsuites.testsuite[0]!;
  return { totals: xml.testsuites, suite, byName: new Map(suite.testcase.map((c) => [c['@_name'], c])) };
}

// `hoptrace probe --all --junit FILE` on the voicemail demo, as a CI pipeline would gate a deploy
// on it: every probe once, a JUnit report a CI system can read, the exit code by the worst verdict.
describe('hoptrace probe --all --junit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hoptrace-junit-'));
  let demo: RunningDemo;

  beforeAll(async () => {
    demo = await startDemo(uniquePrefix('junit'));
    // Warm up (a cold recorder can overrun its budget on its first request).
    await runCli(['probe', '--all', '--config', demo.configFile, '--json']);
  }, 180_000);

  afterEach(async () => {
    for (const instances of Object.values(demo.urls)) {
      for (const url of instances) await setFaults(url, undefined).catch(() => undefined);
    }
  });

  afterAll(async () => {
    await demo?.stop();
  }, 30_000);

  it('a healthy platform: every probe a passing test case with its run, exit 0', async () => {
    const file = join(dir, 'healthy.xml');
    const { code, stdout, stderr } = await runCli([
      'probe',
      '--all',
      '--config',
      demo.configFile,
      '--junit',
      file,
      '--json',
    ]);
    expect(code, stderr).toBe(0);
    const views = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { probe: string; verdict: string });
    expect(views.map((v) => v.probe).sort()).toEqual([...DEMO_PROBES].sort());
    expect(views.every((v) => v.verdict === 'ok')).toBe(true);

    const { totals, suite, byName } = await readReport(file);
    expect(totals).toMatchObject({ '@_tests': String(DEMO_PROBES.length), '@_failures': '0', '@_errors': '0' });
    expect(suite['@_name']).toBe(`hoptrace ${demo.configFile.split('/').pop()}`);
    for (const probe of DEMO_PROBES) {
      const test = byName.get(probe);
      expect(test, probe).toBeDefined();
      expect(test!['@_classname']).toBe(`hoptrace.${probe}`);
      expect(test!.failure).toBeUndefined();
      expect(test!.error).toBeUndefined();
      expect(Number(test!['@_time'])).toBeGreaterThan(0);
      const runId = test!.properties?.property.find((p) => p['@_name'] === 'runId')?.['@_value'];
      expect(runId).toMatch(/^[0-9a-z]{9}-[0-9a-f]{12}$/);
    }
  }, 120_000);

  it('storage failing: the probes through it are failures naming storage, the others pass, exit 1', async () => {
    for (const url of demo.urls.storage) await setFaults(url, { errorRate: 1 });
    const file = join(dir, 'storage-failing.xml');
    const { code, stderr } = await runCli(['probe', '--all', '--config', demo.configFile, '--junit', file]);
    expect(code, stderr).toBe(1);
    const { totals, byName } = await readReport(file);
    expect(totals['@_errors']).toBe('0');
    const deposit = byName.get('deposit-voicemail')!;
    expect(deposit.failure?.['@_type']).toBe('error');
    expect(deposit.failure?.['@_message']).toMatch(/^error at storage/);
    // update-greeting goes gateway > mailbox only: storage failing is not its problem.
    expect(byName.get('update-greeting')!.failure).toBeUndefined();
    expect(Number(totals['@_failures'])).toBeGreaterThanOrEqual(2);
  }, 120_000);

  it('neither a name nor --all, or both: a usage error (exit 2) saying what to give', async () => {
    const none = await runCli(['probe', '--config', demo.configFile]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('give a probe name, or --all for every probe');
    const both = await runCli(['probe', 'update-greeting', '--all', '--config', demo.configFile]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give a probe name or --all, not both');
  }, 60_000);
});
