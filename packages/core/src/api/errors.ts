import { z } from 'zod';
import { ERROR_CODES, type HoptraceErrorCode } from '../errors';

const codes = Object.keys(ERROR_CODES) as [HoptraceErrorCode, ...HoptraceErrorCode[]];

export const apiErrorSchema = z.object({
  /** What went wrong, in words. */
  error: z.string(),
  /** Stable code from the error catalog (`docs/errors.md`). */
  code: z.enum(codes),
  /** The query parameter or field at fault, when one is. */
  field: z.string().optional(),
  /** More about the cause (for storage errors: what Redis said). */
  detail: z.string().optional(),
});
/** Every 4xx and 5xx answer of the HTTP API. */
export type ApiError = z.infer<typeof apiErrorSchema>;
