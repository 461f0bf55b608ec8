import { z } from 'zod';
import { serviceName } from './budget-schema';

// A probe's expected path: the services a run must pass through, in order. Beyond plain names, a
// step can be optional (`{ service: cache, optional: true }`) or a group of services that may come
// in any order (`{ anyOrder: [mailbox, recorder] }`); a service may be named more than once.

/** A service the run visits: its name, or `{ service, optional }` when it may be skipped. */
export type ServiceStep = string | { service: string; optional?: boolean | undefined };
/** Services visited in any order (each one may be optional). */
export interface GroupStep {
  anyOrder: ServiceStep[];
}
/** One step of a probe's expected path. */
export type PathStep = ServiceStep | GroupStep;

/** Most members of an `anyOrder` group. */
export const MAX_GROUP_SIZE = 16;
/** Most steps of a path. */
export const MAX_PATH_STEPS = 32;

const serviceObjectSchema = z
  .object({
    service: serviceName,
    /** The run may skip it: absent is fine, present is expected (not extra). */
    optional: z.boolean({ error: 'must be true or false' }).optional(),
  })
  .strict();

const WHAT_A_STEP_IS = 'expected a service name, { service: <name>, optional: true } or { anyOrder: [<services>] }';

/**
 * A schema that picks the shape to check by the value's type (a string, a group, an object), so
 * that a mistake is reported at the field that is wrong ("probes.0.path.1.optional: must be true
 * or false") and not as a bare "invalid input" of a union of every shape.
 */
function byShape<T>(pick: (value: unknown) => z.ZodType<T>): z.ZodType<T> {
  return z.unknown().transform((value, ctx): T => {
    const result = pick(value).safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues) ctx.addIssue({ ...issue });
    return z.NEVER;
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A service step: a name, or `{ service, optional? }`. */
export const serviceStepSchema: z.ZodType<ServiceStep> = byShape<ServiceStep>((value) => {
  if (typeof value === 'string') return serviceName;
  if (isObject(value) && 'anyOrder' in value) return z.never({ error: 'groups do not nest: list services in a group' });
  return isObject(value) ? serviceObjectSchema : z.string({ error: WHAT_A_STEP_IS });
});

const groupSchema = z
  .object({
    anyOrder: z
      .array(serviceStepSchema)
      .min(2, 'a group names at least 2 services (a single one needs no group)')
      .max(MAX_GROUP_SIZE, `a group names at most ${MAX_GROUP_SIZE} services`),
  })
  .strict();

/** One element of a path: a service step, or `{ anyOrder: [...] }` (2 to 16 service steps; groups do not nest). */
export const pathStepSchema: z.ZodType<PathStep> = byShape<PathStep>((value) =>
  isObject(value) && 'anyOrder' in value ? groupSchema : serviceStepSchema,
);

/** A probe's expected path: 1 to 32 steps. */
export const pathSchema = z
  .array(pathStepSchema)
  .min(1, 'name at least one service')
  .max(MAX_PATH_STEPS, `a path has at most ${MAX_PATH_STEPS} steps`);
