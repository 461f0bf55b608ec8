// The one way the dashboard talks to the Oamserver: GET a JSON document and parse it with its
// schema from `@hoptrace/core/api` at the edge. Callers get data of the contract's type, or a
// failure to show; nothing throws past here.
import { apiErrorSchema } from '@hoptrace/core/api';
import { type ZodType } from 'zod';
import { describeIssues, type ApiFailure } from '../lib/api-failure';
import { reportUnauthorized } from './auth';

export type ApiResult<T> = { ok: true; data: T } | { ok: false; failure: ApiFailure };

function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

/** GET `url` and parse the JSON with `schema`. Rejects only when aborted. */
export async function getJson<T>(url: string, schema: ZodType<T>, signal?: AbortSignal): Promise<ApiResult<T>> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: 'application/json' }, signal: signal ?? null });
  } catch (error) {
    if (isAbort(error)) throw error;
    return { ok: false, failure: { kind: 'network', url, message: (error as Error).message || 'network error' } };
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    if (isAbort(error)) throw error;
    return { ok: false, failure: { kind: 'network', url, message: 'the answer was cut off' } };
  }
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    const parsed = apiErrorSchema.safeParse(json);
    const failure: ApiFailure = { kind: 'http', url, status: response.status };
    if (parsed.success) failure.error = parsed.data;
    // A locked Oamserver: the page asks for its token (auth.ts).
    if (response.status === 401 && failure.error?.code === 'HOPTRACE_API_UNAUTHORIZED') reportUnauthorized();
    else if (text && text.length < 300 && !text.trimStart().startsWith('<')) failure.text = text.trim();
    return { ok: false, failure };
  }
  if (json === undefined) {
    return {
      ok: false,
      failure: { kind: 'unexpected', url, status: response.status, problems: ['the answer is not JSON'] },
    };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      failure: { kind: 'unexpected', url, status: response.status, problems: describeIssues(parsed.error.issues) },
    };
  }
  return { ok: true, data: parsed.data };
}
