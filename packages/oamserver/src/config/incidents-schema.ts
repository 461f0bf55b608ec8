import { z } from 'zod';
import { MAX_INSTANCES_FOR_SERVICE_WIDE } from '../incidents/evidence';
import { duration } from './duration';

/** When incidents open and resolve (counted in runs that visit the place: probe × service × instance). */
export const incidentsSchema = z
  .object({
    /** Faulty runs in a row at one place that open an incident. */
    openAfter: z.number().int().min(1).max(100).default(2),
    /** Healthy runs in a row at that place that resolve it (holds flapping back). */
    resolveAfter: z.number().int().min(1).max(100).default(3),
    /** How long an incident (and a place's state) is kept after its last change. */
    retention: duration({ minMs: 3_600_000 }).default(7 * 86_400_000),
    /**
     * Distinct instances the faulty streak must come from before a service-wide incident opens
     * (or every instance seen in the last hour, when fewer). At most 16: a place's streak
     * remembers 16 instances (record-visit.lua).
     */
    serviceWideMinInstances: z.number().int().min(2).max(16).default(MAX_INSTANCES_FOR_SERVICE_WIDE),
  })
  .strict();

/** How hops without a budget are judged slow against their learned baseline. */
export const baselineSchema = z
  .object({
    /** Slow when above this multiple of the hop's usual p90 ... */
    factor: z.number().min(1.1).max(100).default(3),
    /** ... and above this floor. */
    floor: duration({ minMs: 1 }).default(100),
    /** Healthy samples (over the last hour) before a baseline is used. */
    minSamples: z.number().int().min(1).max(100_000).default(20),
  })
  .strict();
