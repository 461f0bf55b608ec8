import { randomUUID } from 'node:crypto';
import type { IncidentEvent } from '../incidents/types';
import { toAlertEvent } from './alert-event';
import { DeliveryQueue, type AttemptFunction, type DeliveryQueueOptions } from './delivery-queue';
import { isRetryableStatus, parseRetryAfterMs } from './retry-policy';
import { postWebhook } from './webhook-request';

/** Options of a webhook channel. Only `name`, `url` and `secret` are required. */
export interface WebhookChannelOptions extends DeliveryQueueOptions {
  /** http(s) URL the events are POSTed to. */
  url: string;
  /** HMAC-SHA256 key the requests are signed with. */
  secret: string;
  /** Extra request headers. */
  headers?: Readonly<Record<string, string>>;
  /** Per-request timeout. Default 5000. */
  timeoutMs?: number;
  /** Default the global fetch. */
  fetch?: typeof fetch;
}

/**
 * POSTs each incident event, signed, to one URL. Events wait in a bounded queue and are sent one
 * at a time, in order, each retried with backoff on network errors, 408, 429 and 5xx
 * (DeliveryQueue).
 */
export class WebhookChannel extends DeliveryQueue {
  constructor(private readonly _options: WebhookChannelOptions) {
    super(_options);
  }

  protected get warnPrefix(): string {
    return `alert webhook "${this.name}"`;
  }

  protected prepare(event: IncidentEvent): AttemptFunction {
    // The body and the delivery id are the same on every attempt: receivers de-duplicate on the id.
    const body = JSON.stringify(toAlertEvent(event));
    const deliveryId = randomUUID();
    const { url, secret, headers, timeoutMs = 5000 } = this._options;
    return async ({ signal }) => {
      const result = await postWebhook(
        { url, secret, headers, timeoutMs, body, deliveryId, signal },
        this._options.fetch,
      );
      if (result.kind === 'network-error') return { ok: false, error: result.error, retryable: true };
      if (result.status >= 200 && result.status < 300) return { ok: true, status: result.status };
      return {
        ok: false,
        status: result.status,
        error: `answered HTTP ${result.status}`,
        retryable: isRetryableStatus(result.status),
        retryAfterMs: parseRetryAfterMs(result.retryAfter, Date.now()),
      };
    };
  }
}
