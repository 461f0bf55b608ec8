import { z } from 'zod';
import { defineTriggerPlugin, type CapturedValues } from '../plugins/types';

/** Where a value a later journey step uses comes from in an HTTP answer. */
const captureSource = z.union([
  z.object({ json: z.string().min(1).describe('dotted path into the JSON body, e.g. messages.0.id') }).strict(),
  z.object({ header: z.string().min(1) }).strict(),
]);

/** An HTTP request that starts a run. */
export const httpTriggerOptions = z
  .object({
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).default('GET'),
    url: z
      .string()
      .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), 'must be an http:// or https:// URL'),
    headers: z.record(z.string(), z.string()).optional(),
    /** JSON body (objects and arrays are sent as JSON, strings as they are). */
    body: z.unknown().optional(),
    /** The status the entry service must answer; any 2xx when not set. */
    expectStatus: z.number().int().min(100).max(599).optional(),
    /** Text the answer's body must contain (a journey step that waits for an effect polls until it does). */
    expectBody: z
      .object({ contains: z.string().min(1) })
      .strict()
      .optional(),
    /** Values for later journey steps: `name: { json: path }` or `name: { header: name }`. */
    capture: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'use letters, digits and _'), captureSource)
      .optional(),
  })
  .strict();

type HttpTriggerOptions = z.output<typeof httpTriggerOptions>;

/** The value at a dotted path (`a.b.0.c`) of a parsed JSON document, when it is a scalar. */
function valueAt(document: unknown, path: string): string | number | boolean | undefined {
  let node = document;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean' ? node : undefined;
}

function captureFrom(options: HttpTriggerOptions, res: Response, text: string): CapturedValues | undefined {
  if (!options.capture) return undefined;
  let document: unknown;
  try {
    document = text ? JSON.parse(text) : undefined;
  } catch {
    document = undefined;
  }
  const captured: CapturedValues = {};
  for (const [name, source] of Object.entries(options.capture)) {
    const value = 'json' in source ? valueAt(document, source.json) : (res.headers.get(source.header) ?? undefined);
    if (value !== undefined) captured[name] = value;
  }
  return captured;
}

/** Sends the HTTP request that starts a run, the run's context in its headers. */
export const httpTrigger = defineTriggerPlugin({
  type: 'trigger',
  kind: 'http',
  description: 'an HTTP request to the entry service',
  options: httpTriggerOptions,
  captures: (options) => Object.keys(options.capture ?? {}),
  async fire(run, carrier, options) {
    const headers: Record<string, string> = {
      'user-agent': 'hoptrace-oamserver',
      ...options.headers,
      ...carrier.headers,
    };
    let body: string | undefined;
    if (options.body !== undefined && options.method !== 'GET' && options.method !== 'HEAD') {
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      if (typeof options.body !== 'string') headers['content-type'] ??= 'application/json';
    }
    const expectedStatus = options.expectStatus ?? '2xx';
    const request = `${options.method} ${options.url}`;
    try {
      const res = await fetch(options.url, { method: options.method, headers, body, signal: run.signal });
      const text = await res.text().catch(() => '');
      const statusOk = expectedStatus === '2xx' ? res.status >= 200 && res.status < 300 : res.status === expectedStatus;
      const bodyOk = !options.expectBody || text.includes(options.expectBody.contains);
      const captured = captureFrom(options, res, text);
      return {
        delivered: true,
        ok: statusOk && bodyOk,
        status: res.status,
        expectedStatus,
        ...(captured ? { captured } : {}),
        ...(!statusOk
          ? { error: `expected ${expectedStatus}, got ${res.status} from ${request}` }
          : !bodyOk
            ? { error: `the answer to ${request} does not contain "${options.expectBody!.contains}"` }
            : {}),
      };
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason = run.signal.aborted
        ? `no answer within ${run.timeoutMs} ms`
        : (cause?.code ?? cause?.message ?? (error as Error).message);
      return { delivered: false, ok: false, expectedStatus, error: `${request}: ${reason}` };
    }
  },
});
