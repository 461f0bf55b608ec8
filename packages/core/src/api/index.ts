// `@hoptrace/core/api`: the Oamserver's HTTP API as a contract. The Oamserver builds these
// shapes, the dashboard and the CLI parse them. Imports only zod: it runs in browsers too.
export {
  VERDICTS,
  verdictSchema,
  isFault,
  faultSchema,
  clockSkewSchema,
  triggerOutcomeSchema,
  hopViewSchema,
  verdictFactsSchema,
  runBudgetSchema,
  stepViewSchema,
  runViewSchema,
  hopSummarySchema,
  runSummarySchema,
} from './run-schemas';
export type {
  Verdict,
  Fault,
  ClockSkew,
  TriggerOutcome,
  HopView,
  VerdictFacts,
  RunView,
  StepView,
  HopSummary,
  RunSummary,
} from './run-schemas';
export {
  incidentKindSchema,
  incidentSchema,
  incidentListSchema,
  incidentTimelineEntrySchema,
  incidentDetailSchema,
  incidentEventSchema,
} from './incident-schemas';
export type {
  IncidentKind,
  Incident,
  IncidentList,
  IncidentTimelineEntry,
  IncidentDetail,
  IncidentEvent,
} from './incident-schemas';
export {
  OVERVIEW_WINDOWS,
  overviewWindowSchema,
  windowStatsSchema,
  runCellSchema,
  seriesPointSchema,
  incidentMarkerSchema,
  probeOverviewSchema,
  overviewSchema,
  flowInstanceSchema,
  flowNodeSchema,
  flowEdgeSchema,
  probeFlowSchema,
  flowMapSchema,
} from './overview-schemas';
export type {
  OverviewWindow,
  WindowStats,
  RunCell,
  SeriesPoint,
  IncidentMarker,
  ProbeOverview,
  Overview,
  FlowInstance,
  FlowNode,
  FlowEdge,
  ProbeFlow,
  FlowMap,
} from './overview-schemas';
export {
  MAX_RUNS_PAGE,
  DEFAULT_RUNS_PAGE,
  encodeRunsCursor,
  decodeRunsCursor,
  runsQuerySchema,
  runsPageSchema,
  runSummariesPageSchema,
} from './runs-query';
export type { RunsCursor, RunsQuery, RunsPage, RunSummariesPage } from './runs-query';
export { apiErrorSchema } from './errors';
export type { ApiError } from './errors';
export { API_EVENTS, runEventSchema, incidentStreamEventSchema, resyncEventSchema } from './events';
export type { ResyncEvent } from './events';
export { metaSchema } from './meta-schema';
export type { Meta } from './meta-schema';
export { jaegerTraceUrl, jaegerSpanUrl, jaegerEmbedUrl, jaegerCompareUrl } from './jaeger-links';
export { ERROR_CODES } from '../errors';
export type { HoptraceErrorCode } from '../errors';
export { PROBE_NAME_PATTERN, RUN_ID_PATTERN, TRACE_ID_PATTERN } from '../patterns';
