export { Oamserver } from './oamserver';
export type { OamserverOptions } from './oamserver';
export { createOamCore } from './oam-core';
export type { OamCore, OamCoreOptions } from './oam-core';
export type { OtlpProtocol } from './telemetry/probe-tracer';
export { loadProbeConfig, parseProbeConfig } from './config/load-probe-config';
export { createProbeConfigSchema } from './config/probe-config-schema';
export type { ProbeConfigSource } from './config/load-probe-config';
export type { JourneyStepDefinition } from './config/probe-config-schema';
export { defineTriggerPlugin, defineAlertChannelPlugin, AlertSendError } from './plugins/types';
export type * from './plugins/types';
export { loadPlugin, PluginLoadError, triggerPluginsOf, alertChannelPluginsOf } from './plugins/load-plugins';
export { PluginChannel } from './alerts/plugin-channel';
export { BUILTIN_ALERT_CHANNELS } from './alerts/channels/builtin-channels';
export { findSilence, isSilenceActive, silenceMatches } from './alerts/silences';
export type { Silence } from './alerts/silences';
export type { LoadedPlugin } from './plugins/load-plugins';
export { classifyJourney } from './classifier/classify-journey';
export type { ProbeConfig, ProbeDefinition, TriggerDefinition } from './config/probe-config-schema';
export { parseDuration, formatDuration } from './config/duration';
export { classify, DEFAULT_SKEW_THRESHOLD_MS } from './classifier/classify';
export { orderHops, linkHops } from './classifier/order-hops';
export { analyzeTiming } from './classifier/timing';
export { VERDICTS, isFault } from './classifier/types';
export type {
  Verdict,
  Classification,
  ClassifyInput,
  Fault,
  HopView,
  RunRecord,
  TriggerOutcome,
  VerdictFacts,
  ClockSkew,
} from './classifier/types';
export { RunStore } from './store/run-store';
export type { RunResult, StoredRun, RunStoreOptions } from './store/run-store';
export { StorageHealth } from './store/storage-health';
export { SharedPeerDirectory, SHARED_PEER_DIRECTORY_DEFAULTS } from './stats/shared-peer-directory';
export { PeerDirectory } from './stats/peer-directory';
export type { PeerEntry, PeerIdentity } from './stats/peer-directory';
export { RunFinder, matchesFilter, DEFAULT_MAX_SCANNED } from './store/run-finder';
export type { RunFilter, FoundRuns } from './store/run-finder';
export { summarizeResult, summarizePending, runCell } from './store/run-summary';
export { ProbeTimeline, TIMELINE_WINDOWS } from './stats/probe-timeline';
export { buildProbeFlow, MAP_MAX_RUNS } from './http/flow-map';
export { EventStream } from './http/event-stream';
export type { EventStreamOptions } from './http/event-stream';
export { Collector } from './collector/collector';
export type { CollectorOptions } from './collector/collector';
export { ProbeRunner } from './runner/probe-runner';
export type { FiredRun } from './runner/probe-runner';
export { Scheduler, phaseOf } from './scheduler/scheduler';
export { RollingStats, STATS_WINDOWS } from './stats/rolling-stats';
export type { StatsWindow, SeriesKey, SeriesSummary } from './stats/rolling-stats';
export { resultView, storedView, jaegerLink } from './http/run-view';
export type { RunView } from './http/run-view';
export { IncidentStore } from './incidents/incident-store';
export type { IncidentRules, IncidentTransition, PlaceVisit } from './incidents/incident-store';
export { IncidentTracker } from './incidents/incident-tracker';
export type { IncidentTrackerDeps } from './incidents/incident-tracker';
export { evidenceOf, MAX_INSTANCES_FOR_SERVICE_WIDE } from './incidents/evidence';
export type { PlaceEvidence } from './incidents/evidence';
export type { Incident, IncidentEvent, IncidentKind, IncidentPlace } from './incidents/types';
export { AlertDispatcher } from './alerts/alert-dispatcher';
export { createAlertDispatcher, MIN_WEBHOOK_SECRET_LENGTH } from './alerts/create-alert-dispatcher';
export type { AlertDispatcherDeps } from './alerts/create-alert-dispatcher';
export { WebhookChannel } from './alerts/webhook-channel';
export type { WebhookChannelOptions } from './alerts/webhook-channel';
export { LogChannel } from './alerts/log-channel';
export { summarizeIncidentEvent } from './alerts/summary-text';
export {
  signWebhookBody,
  verifyWebhookSignature,
  TIMESTAMP_HEADER,
  SIGNATURE_HEADER,
  DELIVERY_ID_HEADER,
  DEFAULT_SIGNATURE_TOLERANCE_MS,
} from './alerts/webhook-signature';
export type { SignedWebhook } from './alerts/webhook-signature';
export {
  DEFAULT_RETRY_POLICY,
  backoffDelayMs,
  retryDelayMs,
  parseRetryAfterMs,
  isRetryableStatus,
} from './alerts/retry-policy';
export type { RetryPolicy } from './alerts/retry-policy';
export { DELIVERY_OUTCOMES } from './alerts/types';
export type {
  AlertChannel,
  AlertLogFunction,
  AlertLogLevel,
  DeliveryCount,
  DeliveryOutcome,
  DeliveryRecord,
} from './alerts/types';
export { alertsSchema, webhookSchema } from './config/alerts-schema';
export type { AlertsConfig, WebhookConfig } from './config/alerts-schema';
export { OamMetrics } from './http/metrics';
export type { OamMetricsOptions } from './http/metrics';
