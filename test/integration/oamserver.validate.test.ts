import { describe, expect, it } from 'vitest';
import { runCli, writeConfig } from '../support/oamserver';

describe('hoptrace validate', () => {
  it('reports all three mistakes of a config at once, each with its path and line, and exits 2', async () => {
    const file = writeConfig(`probes:
  - name: deposit-voicemail
    every: 10 seconds
    timeout: 5s
    trigger:
      http: { method: POST, url: http://127.0.0.1:7001/calls/4155550100/voicemail, expectStatus: 201 }
    path: [gateway, mailbox, recorder, storage, notifier]
    budget: { total: 800ms, hops: { recordr: 200ms } }
  - name: retrieve-voicemail
    evry: 10s
    trigger:
      http: { method: GET, url: http://127.0.0.1:7001/subscribers/4155550100/messages }
    path: [gateway, mailbox, retrieval, storage]
`);
    const { code, stdout, stderr } = await runCli(['validate', file]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/3 problem\(s\)/);
    expect(stderr).toMatch(/line 3: probes\.0\.every: "10 seconds" is not a duration/);
    expect(stderr).toMatch(/line 8: probes\.0\.budget\.hops\.recordr: "recordr" is not in this probe's path/);
    expect(stderr).toMatch(/line 10: probes\.1\.evry: unknown key/);

    const json = await runCli(['validate', file, '--json']);
    expect(json.code).toBe(2);
    const report = JSON.parse(json.stdout);
    expect(report.valid).toBe(false);
    expect(report.issues.map((i: { path: string; line: number }) => [i.path, i.line])).toEqual([
      ['probes.0.every', 3],
      ['probes.0.budget.hops.recordr', 8],
      ['probes.1.evry', 10],
    ]);
  });

  it('accepts a valid config, exit 0', async () => {
    const file = writeConfig(`probes:
  - name: greeting
    every: 30s
    trigger: { http: { method: PUT, url: "http://127.0.0.1:7001/subscribers/4155550100/greeting", body: { text: hi } } }
    path: [gateway, mailbox]
`);
    const { code, stdout } = await runCli(['validate', file]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/valid.*1 probe/);
  });

  it('reports YAML syntax errors with their line', async () => {
    const file = writeConfig('probes:\n  - name: x\n    path: [a, b\n');
    const { code, stderr } = await runCli(['validate', file]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/line \d+: \(yaml\)/);
  });
});
