import { describe, expect, it } from 'vitest';
import { OamMetrics } from '../src/http/metrics';
import type { IncidentPlace } from '../src/incidents/types';
import type { RunResult } from '../src/store/run-store';
import type { DeliveryCount } from '../src/alerts/types';
import { classifyRun, type HopOverride } from './support/hops';

/** A classified run of deposit-voicemail (path gateway, mailbox, recorder, storage, notifier). */
function run(hops: Record<string, HopOverride> = {}): RunResult {
  const { built, ...classification } = classifyRun({ hops });
  return { ...classification, run: built.run, classifiedAtMs: built.run.firedAtMs + built.observedWindowMs };
}

/** The sample lines of one metric, without HELP/TYPE and without histogram buckets. */
async function samples(metrics: OamMetrics, name: string): Promise<string[]> {
  const text = await metrics.text();
  return text.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
}

describe('hoptrace_hop_instance_duration_seconds', () => {
  it('carries an instance label for the services listed, and only for them', async () => {
    const metrics = new OamMetrics({
      probes: ['deposit-voicemail'],
      storageUp: () => true,
      instanceLabels: ['recorder'],
    });
    metrics.recordRun(run({ recorder: { instance: 'recorder-2' } }));
    metrics.recordRun(run({ recorder: { instance: 'recorder-3' } }));
    expect(await samples(metrics, 'hoptrace_hop_instance_duration_seconds_count')).toEqual([
      'hoptrace_hop_instance_duration_seconds_count{probe="deposit-voicemail",service="recorder",instance="recorder-2"} 1',
      'hoptrace_hop_instance_duration_seconds_count{probe="deposit-voicemail",service="recorder",instance="recorder-3"} 1',
    ]);
    // The per-service metric is unchanged.
    expect(await samples(metrics, 'hoptrace_hop_duration_seconds_count')).toContain(
      'hoptrace_hop_duration_seconds_count{probe="deposit-voicemail",service="recorder"} 2',
    );
  });

  it('keeps at most 200 instances per service by default, the rest reported as (other)', async () => {
    const metrics = new OamMetrics({
      probes: ['deposit-voicemail'],
      storageUp: () => true,
      instanceLabels: ['recorder'],
    });
    for (let i = 0; i < 210; i++) metrics.recordRun(run({ recorder: { instance: `recorder-${i}` } }));
    metrics.recordRun(run({ recorder: { instance: 'recorder-0' } }));
    const lines = await samples(metrics, 'hoptrace_hop_instance_duration_seconds_count');
    expect(lines).toHaveLength(201);
    expect(lines).toContain(
      'hoptrace_hop_instance_duration_seconds_count{probe="deposit-voicemail",service="recorder",instance="recorder-0"} 2',
    );
    expect(lines).toContain(
      'hoptrace_hop_instance_duration_seconds_count{probe="deposit-voicemail",service="recorder",instance="(other)"} 10',
    );
  });

  it('limits.metricInstancesPerService sets the bound: with 2, the third instance is (other)', async () => {
    const metrics = new OamMetrics({
      probes: ['deposit-voicemail'],
      storageUp: () => true,
      instanceLabels: ['recorder'],
      maxInstancesPerService: 2,
    });
    for (const instance of ['recorder-1', 'recorder-2', 'recorder-3', 'recorder-4', 'recorder-1'])
      metrics.recordRun(run({ recorder: { instance } }));
    expect(await samples(metrics, 'hoptrace_hop_instance_duration_seconds_count')).toEqual([
      'hoptrace_hop_instance_duration_seconds_count{probe="deposit-voicemail",service="recorder",instance="recorder-1"} 2',
      'hoptrace_hop_instance_duration_seconds_count{probe="deposit-voicemail",service="recorder",instance="recorder-2"} 1',
      'hoptrace_hop_instance_duration_seconds_count{probe="deposit-voicemail",service="recorder",instance="(other)"} 2',
    ]);
    expect(await metrics.text()).toContain('at most 2 instances per service');
  });

  it('has no series when no service is listed', async () => {
    const metrics = new OamMetrics({ probes: ['deposit-voicemail'], storageUp: () => true });
    metrics.recordRun(run());
    expect(await samples(metrics, 'hoptrace_hop_instance_duration_seconds_count')).toEqual([]);
  });
});

describe('hoptrace_open_incidents', () => {
  it('counts the open incidents per probe, service and kind at each scrape, and drops back to 0', async () => {
    let open: IncidentPlace[] = [
      { probe: 'deposit-voicemail', service: 'recorder', instance: 'recorder-2', kind: 'slow' },
      { probe: 'deposit-voicemail', service: 'recorder', instance: 'recorder-3', kind: 'slow' },
      { probe: 'deposit-voicemail', service: 'notifier', kind: 'lost' },
    ];
    const metrics = new OamMetrics({ probes: ['deposit-voicemail'], storageUp: () => true, openIncidents: () => open });
    expect(await samples(metrics, 'hoptrace_open_incidents')).toEqual([
      'hoptrace_open_incidents{probe="deposit-voicemail",service="recorder",kind="slow"} 2',
      'hoptrace_open_incidents{probe="deposit-voicemail",service="notifier",kind="lost"} 1',
    ]);
    open = [];
    expect(await samples(metrics, 'hoptrace_open_incidents')).toEqual([
      'hoptrace_open_incidents{probe="deposit-voicemail",service="recorder",kind="slow"} 0',
      'hoptrace_open_incidents{probe="deposit-voicemail",service="notifier",kind="lost"} 0',
    ]);
  });

  it('keeps the last values when the source throws, and the scrape still answers', async () => {
    let fail = false;
    const metrics = new OamMetrics({
      probes: ['deposit-voicemail'],
      storageUp: () => true,
      openIncidents: () => {
        if (fail) throw new Error('tracker broken');
        return [{ probe: 'deposit-voicemail', service: 'storage', kind: 'error' }];
      },
    });
    await metrics.text();
    fail = true;
    expect(await samples(metrics, 'hoptrace_open_incidents')).toEqual([
      'hoptrace_open_incidents{probe="deposit-voicemail",service="storage",kind="error"} 1',
    ]);
  });
});

describe('hoptrace_alert_deliveries_total', () => {
  it('mirrors the dispatcher counts at each scrape', async () => {
    let counts: DeliveryCount[] = [
      { channel: 'ops', outcome: 'delivered', count: 0 },
      { channel: 'ops', outcome: 'failed', count: 0 },
    ];
    const metrics = new OamMetrics({
      probes: ['deposit-voicemail'],
      storageUp: () => true,
      alertDeliveries: () => counts,
    });
    expect(await samples(metrics, 'hoptrace_alert_deliveries_total')).toEqual([
      'hoptrace_alert_deliveries_total{channel="ops",outcome="delivered"} 0',
      'hoptrace_alert_deliveries_total{channel="ops",outcome="failed"} 0',
    ]);
    counts = [
      { channel: 'ops', outcome: 'delivered', count: 3 },
      { channel: 'ops', outcome: 'failed', count: 1 },
    ];
    expect(await samples(metrics, 'hoptrace_alert_deliveries_total')).toEqual([
      'hoptrace_alert_deliveries_total{channel="ops",outcome="delivered"} 3',
      'hoptrace_alert_deliveries_total{channel="ops",outcome="failed"} 1',
    ]);
  });
});
