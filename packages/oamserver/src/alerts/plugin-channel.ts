import { randomUUID } from 'node:crypto';
import type { IncidentEvent } from '../incidents/types';
import type { AlertChannelPlugin, AlertSendFailure, PluginLogger } from '../plugins/types';
import { alertLinks, toAlertEvent } from './alert-event';
import { DeliveryQueue, type AttemptFunction, type AttemptResult, type DeliveryQueueOptions } from './delivery-queue';

/** Where a plugin channel's plugin writes: `(level, message, fields)`. */
export type PluginLogFunction = (
  level: 'info' | 'warn' | 'error',
  message: string,
  fields: Record<string, unknown>,
) => void;

/** Options of a channel run by an alert-channel plugin. */
export interface PluginChannelOptions<Options = unknown> extends DeliveryQueueOptions {
  plugin: AlertChannelPlugin<Options, unknown>;
  /** The channel's options, as the plugin's schema gave them back. */
  options: Options;
  /** Per-attempt bound: past it the attempt fails and its signal aborts. Default 10 000. */
  timeoutMs?: number;
  /** The dashboard's address as people reach it: events then carry links to it. */
  dashboardUrl?: string;
  /** Reads an environment variable, for the plugin's `open`. Default: none set. */
  env?: (name: string) => string | undefined;
  /** Where the plugin's own log lines go. Default: nowhere. */
  log?: PluginLogFunction;
}

/** Longest message kept from a plugin's error or answer: a record is not a place for a page of HTML. */
const MAX_MESSAGE_LENGTH = 500;

function clip(text: string): string {
  const line = text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
  return line.length > MAX_MESSAGE_LENGTH ? `${line.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : line;
}

function messageOf(error: unknown): string {
  return clip(error instanceof Error ? error.message : String(error));
}

/** What a thrown error says about retrying (AlertSendFailure), read defensively: plugins throw anything. */
function failureOf(error: unknown): Extract<AttemptResult, { ok: false }> {
  const failure = (typeof error === 'object' && error !== null ? error : {}) as Partial<AlertSendFailure>;
  return {
    ok: false,
    error: messageOf(error),
    retryable: failure.retryable !== false,
    ...(Number.isInteger(failure.status) && { status: failure.status }),
    ...(typeof failure.retryAfterMs === 'number' &&
      Number.isFinite(failure.retryAfterMs) && { retryAfterMs: Math.max(0, failure.retryAfterMs) }),
  };
}

/**
 * An alert channel whose sending is done by an alert-channel plugin (a built-in one such as
 * `chat` or `email`, or one a config loads). The queue, the retries, the counts and the records
 * are DeliveryQueue's; this adds the plugin's lifecycle (`open` on the first event, again after it
 * failed; `close` at stop) and a bound on each attempt, so that a plugin that throws, hangs or
 * answers nonsense costs its own deliveries and nothing else.
 */
export class PluginChannel<Options = unknown> extends DeliveryQueue {
  private _state: Promise<unknown> | undefined;
  private _closed: Promise<void> | undefined;
  private readonly _logger: PluginLogger;

  constructor(private readonly _options: PluginChannelOptions<Options>) {
    super(_options);
    const at =
      (level: 'info' | 'warn' | 'error') =>
      (message: string, fields: Record<string, unknown> = {}): void => {
        try {
          _options.log?.(level, message, { ...fields, channel: _options.name, plugin: _options.plugin.kind });
        } catch {
          // A log line is not worth a failed delivery.
        }
      };
    this._logger = { info: at('info'), warn: at('warn'), error: at('error') };
  }

  /** The plugin kind this channel runs. */
  get kind(): string {
    return this._options.plugin.kind;
  }

  protected get warnPrefix(): string {
    return `alert channel "${this.name}" (${this.kind})`;
  }

  /** Stops the queue (DeliveryQueue.stop), then closes the plugin's state. Idempotent. */
  override stop(): Promise<void> {
    this._closed ??= super.stop().then(() => this._close());
    return this._closed;
  }

  private async _close(): Promise<void> {
    const opened = this._state;
    this._state = undefined;
    if (!opened || !this._options.plugin.close) return;
    try {
      await this._options.plugin.close(await opened);
    } catch (error) {
      this.warn(`closing failed: ${messageOf(error)}`);
    }
  }

  /** The plugin's state for this channel, opening it on first use (and again after a failed open). */
  private _opened(): Promise<unknown> {
    if (!this._state) {
      const { plugin, options, name, env = () => undefined } = this._options;
      const state = Promise.resolve().then(() =>
        plugin.open?.({ log: this._logger, channel: name, options, env: (variable) => env(variable) }),
      );
      state.catch(() => {
        if (this._state === state) this._state = undefined;
      });
      this._state = state;
    }
    return this._state;
  }

  protected prepare(event: IncidentEvent): AttemptFunction {
    const { plugin, options, dashboardUrl, timeoutMs = 10_000 } = this._options;
    const alertEvent = toAlertEvent(event);
    const links = dashboardUrl ? alertLinks(dashboardUrl, event) : undefined;
    const deliveryId = randomUUID();
    return async ({ attempt, signal: stopping }) => {
      const timeout = new AbortController();
      const timer = setTimeout(
        () => timeout.abort(new DOMException(`no answer within ${timeoutMs}ms`, 'TimeoutError')),
        timeoutMs,
      );
      timer.unref();
      const signal = AbortSignal.any([timeout.signal, stopping]);
      // Settles when the attempt is given up, whether or not the plugin listens to its signal.
      const gaveUp = new Promise<never>((_resolve, reject) => {
        const abandon = () =>
          reject(new Error(timeout.signal.aborted ? `no answer within ${timeoutMs}ms` : 'aborted (stopping)'));
        if (signal.aborted) abandon();
        else signal.addEventListener('abort', abandon, { once: true });
      });
      gaveUp.catch(() => undefined);
      try {
        let state: unknown;
        try {
          state = await Promise.race([this._opened(), gaveUp]);
        } catch (error) {
          if (signal.aborted) throw error;
          // An open that says a retry cannot help (a variable holding no URL) fails the delivery now.
          const failure = failureOf(error);
          return { ...failure, error: `could not start (open failed): ${failure.error}` };
        }
        const context = { signal, timeoutMs, attempt, deliveryId, log: this._logger, ...(links && { links }) };
        const answer: unknown = await Promise.race([
          Promise.resolve().then(() => plugin.send(alertEvent, options, state, context)),
          gaveUp,
        ]);
        const { status, detail } = (typeof answer === 'object' && answer !== null ? answer : {}) as {
          status?: unknown;
          detail?: unknown;
        };
        return {
          ok: true,
          ...(Number.isInteger(status) && { status: status as number }),
          ...(typeof detail === 'string' && detail !== '' && { detail: clip(detail) }),
        };
      } catch (error) {
        return failureOf(error);
      } finally {
        clearTimeout(timer);
      }
    };
  }
}
