import { z } from 'zod';
import { budgetSchema } from './budget-schema';
import { pathSchema } from './path-schema';
import { duration } from './duration';
import { triggerSchema, type TriggerKinds } from './trigger-schema';

/** Most steps in one journey. */
export const MAX_JOURNEY_STEPS = 10;

/** A step's name: shown with the run and in verdicts ("step listen: lost at retrieval"). */
const STEP_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;

/**
 * One step of a journey (a probe with `steps`): its own trigger, expected path and budgets. Its
 * trigger's options may use values captured by earlier steps as `${name}` (checked in
 * journey-checks.ts). A `cleanup` step runs even when an earlier step failed.
 */
export function journeyStepSchema(kinds: TriggerKinds, unknownKindHint: string) {
  return z
    .object({
      name: z.string().regex(STEP_NAME_PATTERN, 'use 1-32 letters, digits, _ or -, starting with a letter or digit'),
      trigger: triggerSchema(kinds, unknownKindHint),
      /** The services this step's run must pass through, in order. */
      path: pathSchema,
      budget: budgetSchema.optional(),
      /** Time for this step's hops to report; default: the probe's timeout. */
      timeout: duration({ minMs: 100, maxMs: 600_000 }).optional(),
      /**
       * Waits for an asynchronous effect: fires the trigger again until it answers as expected
       * (e.g. until the message is listed), every `every`, for at most `within`.
       */
      poll: z
        .object({
          within: duration({ minMs: 100, maxMs: 600_000 }),
          every: duration({ minMs: 50, maxMs: 60_000 }).default(500),
        })
        .strict()
        .optional(),
      /** Runs even when an earlier step failed (removes the journey's synthetic data); cleanup steps come last. */
      cleanup: z.boolean().default(false),
    })
    .strict();
}
