import type { Response } from 'express';
import type { ApiError, HoptraceErrorCode } from '@hoptrace/core/api';
import type { ZodError } from 'zod';

/** Answers an error the way every API error is answered: `{ error, code, field?, detail? }`. */
export function sendError(
  res: Response,
  status: number,
  code: HoptraceErrorCode,
  message: string,
  extra: { field?: string; detail?: string } = {},
): void {
  const body: ApiError = { error: message, code, ...extra };
  res.status(status).json(body);
}

/** 503: storage did not answer. Nothing is guessed: the page says so. */
export function sendStorageUnavailable(res: Response, error: unknown): void {
  sendError(res, 503, 'HOPTRACE_REDIS_UNAVAILABLE', 'storage unavailable', { detail: (error as Error).message });
}

/** 404 with the catalog's code. */
export function sendNotFound(res: Response, message: string): void {
  sendError(res, 404, 'HOPTRACE_API_NOT_FOUND', message);
}

/** 400 naming the first query parameter at fault. */
export function sendBadQuery(res: Response, error: ZodError): void {
  const issue = error.issues[0]!;
  const field = issue.path.map(String).join('.') || undefined;
  sendError(res, 400, 'HOPTRACE_API_BAD_REQUEST', field ? `${field}: ${issue.message}` : issue.message, { field });
}
