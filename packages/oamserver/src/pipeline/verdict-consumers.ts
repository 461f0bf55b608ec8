import { API_EVENTS, type RunSummary } from '@hoptrace/core/api';
import type { EventStream } from '../http/event-stream';
import type { OamMetrics } from '../http/metrics';
import { summaryView } from '../http/run-view';
import type { IncidentTracker } from '../incidents/incident-tracker';
import type { BaselineStore } from '../stats/baselines';
import { learnBaselines } from '../stats/learn-baselines';
import type { ProbeTimeline } from '../stats/probe-timeline';
import { recordRun, runSample } from '../stats/record-run';
import type { RollingStats } from '../stats/rolling-stats';
import type { RunResult } from '../store/run-store';
import type { VerdictConsumer } from './verdict-pipeline';

// Everything that follows a verdict, each a consumer of the run result. Added, in this order, by
// createOamCore (statistics, baselines: what classifying learns), the Oamserver (timeline,
// metrics, incidents and through them alerts, live events) and `hoptrace serve` (the log line).
// The peer directory learns inside the collector, before the result is stored: the next verdict
// needs it.

/** The rolling statistics of probes, services and instances (`/api/stats`, incidents' evidence). */
export function statisticsConsumer(stats: RollingStats): VerdictConsumer {
  return { name: 'statistics', consume: (_result, summary) => recordRun(stats, summary) };
}

/** The usual latency of each hop, for hops without a budget (per Oamserver, see docs). */
export function baselinesConsumer(baselines: BaselineStore): VerdictConsumer {
  return { name: 'baselines', consume: (_result, summary) => learnBaselines(baselines, summary) };
}

/** Records a run in the overview's timeline (also what warming it from stored runs does). */
export function recordInTimeline(timeline: ProbeTimeline, summary: RunSummary): void {
  const sample = runSample(summary);
  if (sample) timeline.record(summary.probe, sample);
}

/** The overview's timeline (availability and latency per window). */
export function timelineConsumer(timeline: ProbeTimeline): VerdictConsumer {
  return { name: 'timeline', consume: (_result, summary) => recordInTimeline(timeline, summary) };
}

/** The Prometheus metrics. */
export function metricsConsumer(metrics: OamMetrics): VerdictConsumer {
  return { name: 'metrics', consume: (result) => metrics.recordRun(result) };
}

/** Incidents (opened and resolved in Redis, once across Oamservers), and through them alerts. */
export function incidentsConsumer(incidents: IncidentTracker): VerdictConsumer {
  return { name: 'incidents', consume: (result) => void incidents.handle(result) };
}

/** The dashboard's live events (GET /api/events). */
export function liveEventsConsumer(events: EventStream, jaegerUiUrl: string | undefined): VerdictConsumer {
  return {
    name: 'live events',
    consume: (_result, summary) => events.publish(API_EVENTS.run, summaryView(summary, jaegerUiUrl)),
  };
}

/** One log line per run: faults at info, ok runs at debug. */
export function logConsumer(log: {
  info(fields: object, message: string): void;
  debug(fields: object, message: string): void;
}): VerdictConsumer {
  return {
    name: 'log',
    consume: (result: RunResult, _summary: RunSummary) => {
      const fields = { probe: result.run.probe, runId: result.run.runId, verdict: result.verdict, fault: result.fault };
      if (result.verdict === 'ok') log.debug(fields, 'run classified');
      else log.info(fields, 'run classified');
    },
  };
}
