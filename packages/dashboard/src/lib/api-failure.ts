// What went wrong talking to the Oamserver, and how the page says it. Every failure ends up as a
// message on the page: never a blank page, never an uncaught error.
import { type ApiError } from '@hoptrace/core/api';

/** A request to the API that did not give the page its data. */
export type ApiFailure =
  /** The server answered 4xx/5xx; `error` when the body was the API's error shape. */
  | { kind: 'http'; url: string; status: number; error?: ApiError; text?: string }
  /** No answer at all (server down, network). */
  | { kind: 'network'; url: string; message: string }
  /** An answer that does not match the contract (or is not JSON). */
  | { kind: 'unexpected'; url: string; status?: number; problems: string[] };

/** A failure as the page shows it. */
export interface FailureMessage {
  title: string;
  message: string;
  /** The query parameter or field at fault (400s). */
  field?: string;
  detail?: string;
  /** What the user can do about it. */
  hint?: string;
  /** Unknown run or incident: nothing to retry. */
  notFound: boolean;
}

/** Zod-like issues as short lines: `probes.0.stats.count: expected number, received string`. */
export function describeIssues(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
  max = 5,
): string[] {
  const lines = issues
    .slice(0, max)
    .map((i) => `${i.path.map(String).join('.') || '(the whole answer)'}: ${i.message}`);
  if (issues.length > max) lines.push(`… and ${issues.length - max} more`);
  return lines;
}

/** How to say a failure. `what` names the thing asked for: `run 0mww…`, `the overview`. */
export function describeFailure(failure: ApiFailure, what: string): FailureMessage {
  switch (failure.kind) {
    case 'network':
      return {
        title: 'The Oamserver did not answer',
        message: `Could not load ${what}: ${failure.message}.`,
        hint: 'Is the Oamserver running? This page retries when you reload it.',
        notFound: false,
      };
    case 'unexpected':
      return {
        title: 'The server answered something unexpected',
        message: `The answer for ${what} does not match what this dashboard understands. The dashboard and the Oamserver may be different versions.`,
        detail: failure.problems.join('\n'),
        notFound: false,
      };
    case 'http': {
      const { status, error } = failure;
      const base = { message: error?.error ?? failure.text ?? `HTTP ${status}`, notFound: false };
      const extra: Partial<FailureMessage> = {};
      if (error?.field) extra.field = error.field;
      if (error?.detail) extra.detail = error.detail;
      if (status === 404 || error?.code === 'HOPTRACE_API_NOT_FOUND') {
        return {
          ...base,
          ...extra,
          title: `Not found: ${what}`,
          hint: 'It may never have existed, or it expired from storage.',
          notFound: true,
        };
      }
      if (status === 400 || error?.code === 'HOPTRACE_API_BAD_REQUEST') {
        return {
          ...base,
          ...extra,
          title: error?.field ? `The server refused the filter "${error.field}"` : 'The server refused this request',
          hint: 'Change or clear that filter.',
        };
      }
      if (status === 401 || status === 403) {
        return {
          ...base,
          ...extra,
          title: 'Not allowed',
          hint: 'The Oamserver asks for its API token (HOPTRACE_API_TOKEN).',
        };
      }
      if (status === 503) {
        return {
          ...base,
          ...extra,
          title: error?.code === 'HOPTRACE_API_BUSY' ? 'The Oamserver is busy' : 'Storage is unavailable',
          hint:
            error?.code === 'HOPTRACE_API_BUSY'
              ? 'Try again in a moment.'
              : 'hoptrace could not read its storage (Redis). Nothing is lost: try again when Redis answers.',
        };
      }
      return { ...base, ...extra, title: `The Oamserver answered HTTP ${status}` };
    }
  }
}
