import { z } from 'zod';
import { incidentEventSchema } from './incident-schemas';
import { runSummarySchema } from './run-schemas';

/**
 * The event names of GET /api/events (server-sent events). Each event's `data` is one JSON
 * document; the schemas below say which.
 */
export const API_EVENTS = {
  /** A run was classified (data: a RunSummary). */
  run: 'run',
  /** An incident opened, counted another faulty run, or resolved (data: an IncidentEvent). */
  incident: 'incident',
  /** The server dropped events for this client (it read too slowly): refetch what is shown. */
  resync: 'resync',
} as const;

export const runEventSchema = runSummarySchema;
export const incidentStreamEventSchema = incidentEventSchema;
export const resyncEventSchema = z.object({ dropped: z.number(), reason: z.string() });
/** data of a `resync` event. */
export type ResyncEvent = z.infer<typeof resyncEventSchema>;
