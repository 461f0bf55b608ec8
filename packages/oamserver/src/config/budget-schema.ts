import { z } from 'zod';
import { MAX_LABEL_LENGTH } from '@hoptrace/core';
import { duration } from './duration';

/** A service's name, as hops report it (`service.name`). */
export const serviceName = z.string().min(1, 'a service name cannot be empty').max(MAX_LABEL_LENGTH);

/** How long a run, and each hop, may take. */
export const budgetSchema = z
  .object({
    /** Most time the whole run may take. */
    total: duration({ minMs: 1 }).optional(),
    /** Most time each named hop may take. */
    hops: z.record(serviceName, duration({ minMs: 1 })).optional(),
  })
  .strict();
