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
//
// What follows a verdict another Oamserver stored (its summary, from the verdicts stream: see
// shared-verdicts.ts): only what describes the platform, the consumers with `consumeSummary` —
// statistics, baselines, timeline, live events — so every Oamserver's pages count every run.
// Not metrics (each Oamserver counts its own work: sum them over the Oamservers), not incidents
// (decided in Redis, once, by whoever stored the verdict), not the log (one line per run, by the
// Oamserver that classified it).

/** Gives both this Oamserver's verdicts and its peers' to `take`, which needs only the summary. */
function platformConsumer(name: string, take: (summary: RunSummary) => void): VerdictConsumer {
  return { name, consume: (_result, summary) => take(summary), consumeSummary: take };
}

/** The rolling statistics of probes, services and instances (`/api/stats`, incidents' evidence). Every Oamserver's runs. */
export function statisticsConsumer(stats: RollingStats): VerdictConsumer {
  return platformConsumer('statistics', (summary) => recordRun(stats, summary));
}

/** The usual latency of each hop, for hops without a budget. Learnt from every Oamserver's runs. */
export function baselinesConsumer(baselines: BaselineStore): VerdictConsumer {
  return platformConsumer('baselines', (summary) => learnBaselines(baselines, summary));
}

/** Records a run in the overview's timeline (also what warming it from stored runs does). */
export function recordInTimeline(timeline: ProbeTimeline, summary: RunSummary): void {
  const sample = runSample(summary);
  if (sample) timeline.record(summary.probe, sample);
}

/** The overview's timeline (availability and latency per window). Every Oamserver's runs. */
export function timelineConsumer(timeline: ProbeTimeline): VerdictConsumer {
  return platformConsumer('timeline', (summary) => recordInTimeline(timeline, summary));
}

/** The Prometheus metrics: this Oamserver's own verdicts only. */
export function metricsConsumer(metrics: OamMetrics): VerdictConsumer {
  return { name: 'metrics', consume: (result) => metrics.recordRun(result) };
}

/** Incidents (opened and resolved in Redis, once across Oamservers), and through them alerts: own verdicts only. */
export function incidentsConsumer(incidents: IncidentTracker): VerdictConsumer {
  return { name: 'incidents', consume: (result) => void incidents.handle(result) };
}

/** The dashboard's live events (GET /api/events). Every Oamserver's runs. */
export function liveEventsConsumer(events: EventStream, jaegerUiUrl: string | undefined): VerdictConsumer {
  return platformConsumer('live events', (summary) =>
    events.publish(API_EVENTS.run, summaryView(summary, jaegerUiUrl)),
  );
}

/** One log line per run: faults at info, ok runs at debug. Own verdicts only. */
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
