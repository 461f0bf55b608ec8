import type { TriggerOutcome } from '../classifier/types';
import type { ProbeDefinition } from '../config/probe-config-schema';

type HttpTrigger = NonNullable<ProbeDefinition['trigger']['http']>;

/** Sends the HTTP request that starts a run; never throws (a failure is an outcome). */
export async function fireHttpTrigger(
  trigger: HttpTrigger,
  contextHeaders: Record<string, string>,
  timeoutMs: number,
): Promise<TriggerOutcome> {
  const started = performance.now();
  const headers: Record<string, string> = { 'user-agent': 'hoptrace-oamserver', ...trigger.headers, ...contextHeaders };
  let body: string | undefined;
  if (trigger.body !== undefined && trigger.method !== 'GET' && trigger.method !== 'HEAD') {
    body = typeof trigger.body === 'string' ? trigger.body : JSON.stringify(trigger.body);
    if (typeof trigger.body !== 'string') headers['content-type'] ??= 'application/json';
  }
  const expectedStatus = trigger.expectStatus ?? '2xx';
  try {
    const res = await fetch(trigger.url, {
      method: trigger.method,
      headers,
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer().catch(() => undefined);
    const ok = expectedStatus === '2xx' ? res.status >= 200 && res.status < 300 : res.status === expectedStatus;
    return {
      kind: 'http',
      ok,
      delivered: true,
      status: res.status,
      expectedStatus,
      durationMs: performance.now() - started,
      ...(ok ? {} : { error: `expected ${expectedStatus}, got ${res.status} from ${trigger.method} ${trigger.url}` }),
    };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason =
      (error as Error).name === 'TimeoutError'
        ? `no answer within ${timeoutMs} ms`
        : (cause?.code ?? cause?.message ?? (error as Error).message);
    return {
      kind: 'http',
      ok: false,
      delivered: false,
      expectedStatus,
      durationMs: performance.now() - started,
      error: `${trigger.method} ${trigger.url}: ${reason}`,
    };
  }
}
