import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { Incident } from '@hoptrace/core/api';

// The plugin API (docs/plugins.md). A plugin is a module named in the probe config's `plugins`
// list whose default export (or `plugin` export) is one of the objects below. Plugins written in
// JavaScript need nothing from hoptrace; TypeScript ones import these types from
// `@hoptrace/oamserver/plugin`. The built-in triggers and alert channels are written on the same API.

export type { StandardSchemaV1 };

/** Where a plugin writes: the Oamserver's log, with the plugin's kind attached. */
export interface PluginLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** What a plugin's `open` gets: once per Oamserver, before the plugin's first use. */
export interface PluginEnvironment {
  log: PluginLogger;
}

/** The run a trigger fires. */
export interface TriggerRun {
  runId: string;
  /** The probe's name. */
  probe: string;
  /** The journey step this trigger starts (absent for a probe of one step). */
  step?: string;
  /** The run's trace id (32 hex digits). */
  traceId: string;
  /** Epoch ms after which the trigger's answer is not waited for (`signal` aborts then). */
  deadlineMs: number;
  /** Milliseconds left until `deadlineMs` when `fire` is called. */
  timeoutMs: number;
  /** Aborted at the deadline or when the Oamserver stops: stop sending, release what you hold. */
  signal: AbortSignal;
  log: PluginLogger;
}

/**
 * The run's context, to put on the wire with the trigger. A service's drop-in recognises the run
 * by these values: W3C `traceparent` (the run's span) and W3C `baggage` (the signed probe token).
 */
export interface TriggerCarrier {
  readonly traceparent: string;
  readonly baggage: string;
  /** `traceparent` and `baggage` (and `tracestate` when set), as text-map entries: HTTP headers, message headers. */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * `headers` plus what a queue message carries besides: the probe field (so that a consumer that
   * loses the trace context still reports a context-broken hop) and the time it was published.
   */
  messageFields(): Record<string, string>;
  /** Writes the context into any carrier: `set(carrier, key, value)` per entry; default: property assignment. */
  inject<C>(carrier: C, set?: (carrier: C, key: string, value: string) => void): C;
}

/** Values a trigger captured for later journey steps (`${name}` in their options). */
export type CapturedValues = Record<string, string | number | boolean>;

/** What firing gave. Anything else (a throw, a rejection, no answer by the deadline, another shape) is a failed trigger. */
export interface TriggerResult {
  /** The trigger reached the entry service (a request was answered, a message accepted). */
  delivered: boolean;
  /** Delivered and answered as expected. Default: `delivered`. */
  ok?: boolean;
  /** A status the entry answered (HTTP status, SIP final response code, ...). */
  status?: number;
  /** The status that was expected, when one was. */
  expectedStatus?: number | '2xx';
  /** An id the transport gave the message or call. */
  messageId?: string;
  /** One line for people: what happened (shown with the run). */
  detail?: string;
  /** Why it failed, when it did. */
  error?: string;
  /** Values for later steps of a journey. */
  captured?: CapturedValues;
}

/**
 * A trigger: how a run enters the platform. `fire` sends one run; it is given the run, the
 * carrier and its checked options, and must settle by `run.deadlineMs`. It may keep connections
 * in the state that `open` returns; `close` releases them when the Oamserver stops.
 */
export interface TriggerPlugin<Options = unknown, State = unknown> {
  type: 'trigger';
  /** The key under a probe's `trigger:` that selects this plugin, e.g. `sip-call`. */
  kind: string;
  /** One line shown by `hoptrace validate` and in the docs. */
  description?: string;
  /** Checks the options written under the kind (any Standard Schema: zod, valibot, arktype...). */
  options: StandardSchemaV1<unknown, Options>;
  /**
   * Names of the values `fire` may capture for later journey steps, so that the config can be
   * checked before anything runs (a step may use only what an earlier step captures).
   */
  captures?: readonly string[] | ((options: Options) => readonly string[]);
  open?(env: PluginEnvironment): State | Promise<State>;
  fire(
    run: TriggerRun,
    carrier: TriggerCarrier,
    options: Options,
    state: State,
  ): TriggerResult | Promise<TriggerResult>;
  close?(state: State): void | Promise<void>;
}

/** Types a trigger plugin's definition (an identity function, for editors). */
export function defineTriggerPlugin<Options, State = undefined>(
  plugin: TriggerPlugin<Options, State>,
): TriggerPlugin<Options, State> {
  return plugin;
}

// ---------------------------------------------------------------------------------------------
// Alert channels

/**
 * An incident event as alert channels receive it: exactly the JSON body a webhook is POSTed
 * (docs/alerts.md, "What a webhook receives"). A stable, public shape.
 */
export interface AlertEvent {
  /** `incident.opened` or `incident.resolved`. */
  type: 'incident.opened' | 'incident.resolved';
  /** When it happened, epoch ms. */
  atMs: number;
  /** The incident as the Oamserver's API shows it. */
  incident: Incident;
  /** One line for people (at most 400 characters), e.g. `OPEN slow at recorder (recorder-2) on deposit-voicemail since 14:02:11Z: ...`. */
  text: string;
}

/** Links to the Oamserver's dashboard, given when the config sets `alerts.dashboardUrl`. */
export interface AlertLinks {
  /** The incident's page. */
  incident: string;
  /** The pages of the incident's example runs, in the order of `incident.exampleRuns`. */
  runs: string[];
}

/** What a channel's `open` gets: once per configured channel, before its first event. */
export interface AlertChannelEnvironment<Options = unknown> extends PluginEnvironment {
  /** The channel's name (from the config). */
  channel: string;
  /** The channel's checked options. */
  options: Options;
  /** Reads an environment variable (for secrets the config names, e.g. `passwordEnv`). */
  env: (name: string) => string | undefined;
}

/** What `send` gets besides the event, for one attempt. */
export interface AlertSendContext {
  /** Aborted when the attempt times out (the channel's `timeout`) or the Oamserver stops: give up, release what you hold. */
  signal: AbortSignal;
  /** Milliseconds this attempt may take. */
  timeoutMs: number;
  /** 1 for the first attempt, then 2, 3... */
  attempt: number;
  /** The same on every attempt of one event: for receivers that de-duplicate. */
  deliveryId: string;
  /** Dashboard links, when the config sets `alerts.dashboardUrl`. */
  links?: AlertLinks;
  log: PluginLogger;
}

/** What a successful `send` may tell, shown in the delivery records. */
export interface AlertSendResult {
  /** A status the receiver answered (HTTP status, SMTP reply code...). */
  status?: number;
  /** One line for people, e.g. the receiver's answer. */
  detail?: string;
}

/**
 * What a failed attempt may carry. `send` may throw any error; these optional fields, when
 * present, refine what hoptrace does with it (an `AlertSendError` has them all).
 */
export interface AlertSendFailure extends Error {
  /** A status the receiver answered, kept in the delivery record. */
  status?: number;
  /** `false`: trying again cannot help (a 4xx, bad credentials), the delivery fails at once. Default true. */
  retryable?: boolean;
  /** The receiver asked to wait this long before the next attempt (Retry-After); capped by the retry policy. */
  retryAfterMs?: number;
}

/** An error for `send` to throw, saying whether a retry could help. */
export class AlertSendError extends Error implements AlertSendFailure {
  override name = 'AlertSendError';
  status?: number;
  retryable: boolean;
  retryAfterMs?: number;

  constructor(message: string, fields: { status?: number; retryable?: boolean; retryAfterMs?: number } = {}) {
    super(message);
    this.retryable = fields.retryable ?? true;
    if (fields.status !== undefined) this.status = fields.status;
    if (fields.retryAfterMs !== undefined) this.retryAfterMs = fields.retryAfterMs;
  }
}

/**
 * An alert channel: somewhere incident events go (a chat tool, e-mail, a pager). Configured as
 * `alerts.channels: [{ name, <kind>: <options> }]`. hoptrace queues each channel's events, sends
 * them one at a time and in order through `send`, and retries a failed attempt (a throw or a
 * rejection) with backoff, up to the channel's `maxAttempts`; an attempt that has not settled
 * within the channel's `timeout` is failed and `context.signal` aborts. Deliveries are counted in
 * `hoptrace_alert_deliveries_total{channel}` and kept in the recent deliveries.
 */
export interface AlertChannelPlugin<Options = unknown, State = unknown> {
  type: 'alert-channel';
  /** The key in a channel's entry that selects this plugin, e.g. `pagerduty`. */
  kind: string;
  /** One line shown in the docs and by tools. */
  description?: string;
  /** Checks the options written under the kind (any Standard Schema: zod, valibot, arktype...). */
  options: StandardSchemaV1<unknown, Options>;
  /**
   * Environment variables these options need (e.g. the one `passwordEnv` names): the Oamserver
   * refuses to start while one is unset, naming it, rather than failing every delivery later.
   */
  requiredEnv?(options: Options): readonly string[];
  /** Once per channel, before its first event (again after it failed). What it returns is given to `send` and `close`. */
  open?(env: AlertChannelEnvironment<Options>): State | Promise<State>;
  /** Sends one event. Resolve when the receiver has it; throw or reject when not (the attempt is retried). */
  send(
    event: AlertEvent,
    options: Options,
    state: State,
    context: AlertSendContext,
  ): void | AlertSendResult | Promise<void | AlertSendResult>;
  /** When the Oamserver stops, for each channel that was opened. */
  close?(state: State): void | Promise<void>;
}

/** Types an alert-channel plugin's definition (an identity function, for editors). */
export function defineAlertChannelPlugin<Options, State = undefined>(
  plugin: AlertChannelPlugin<Options, State>,
): AlertChannelPlugin<Options, State> {
  return plugin;
}

/** Any plugin a config's `plugins` list may name, told apart by `type`. */
export type HoptracePlugin = TriggerPlugin | AlertChannelPlugin;
