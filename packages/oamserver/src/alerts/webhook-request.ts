import { DELIVERY_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signWebhookBody } from './webhook-signature';

/** What one POST to a webhook came to. */
export type AttemptResult =
  { kind: 'answered'; status: number; retryAfter: string | null } | { kind: 'network-error'; error: string };

/** One signed POST. */
export interface WebhookRequest {
  url: string;
  secret: string;
  body: string;
  deliveryId: string;
  /** Extra headers from the config (the signature headers cannot be overridden). */
  headers?: Readonly<Record<string, string>>;
  timeoutMs: number;
  /** Aborts the request (the channel stopping). */
  signal?: AbortSignal;
}

/** Why a fetch failed, in one line: `fetch failed: ECONNREFUSED`, `aborted (stopping)`. */
export function describeFetchError(error: unknown): string {
  const err = error as Error & { cause?: { code?: string; message?: string } };
  if (err.name === 'AbortError') return 'aborted (stopping)';
  // fetch wraps the socket error ("fetch failed"); its cause says what happened (ECONNREFUSED...).
  const cause = err.cause?.code ?? err.cause?.message;
  return cause ? `${err.message}: ${cause}` : err.message;
}

function describeError(error: unknown, timedOut: boolean, timeoutMs: number): string {
  return timedOut ? `no answer within ${timeoutMs}ms` : describeFetchError(error);
}

/**
 * Sends one attempt. Signs it now (a fresh timestamp per attempt, so that a retry made after a
 * long backoff still falls within the receiver's tolerance). Never rejects.
 */
export async function postWebhook(request: WebhookRequest, fetchImpl: typeof fetch = fetch): Promise<AttemptResult> {
  const timestamp = String(Date.now());
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([timeout, request.signal]) : timeout;
  try {
    const response = await fetchImpl(request.url, {
      method: 'POST',
      headers: {
        ...request.headers,
        'content-type': 'application/json',
        'user-agent': 'hoptrace-oamserver',
        [TIMESTAMP_HEADER]: timestamp,
        [SIGNATURE_HEADER]: signWebhookBody(request.secret, timestamp, request.body),
        [DELIVERY_ID_HEADER]: request.deliveryId,
      },
      body: request.body,
      // A redirect would resend the body (and the configured headers) somewhere not configured.
      redirect: 'manual',
      signal,
    });
    // The body is not needed; release the connection instead of letting it wait for GC.
    await response.body?.cancel().catch(() => undefined);
    return { kind: 'answered', status: response.status, retryAfter: response.headers.get('retry-after') };
  } catch (error) {
    return { kind: 'network-error', error: describeError(error, timeout.aborted, request.timeoutMs) };
  }
}
