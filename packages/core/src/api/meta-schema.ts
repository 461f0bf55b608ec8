import { z } from 'zod';
import { OVERVIEW_WINDOWS } from './overview-schemas';

export const metaSchema = z.object({
  /** Version of the Oamserver. */
  version: z.string(),
  /** Base URL of the Jaeger UI, for links and the embedded trace view; absent when not set. */
  jaegerUiUrl: z.string().optional(),
  /** Probe names, in config order. */
  probes: z.array(z.string()),
  windows: z.array(z.enum(OVERVIEW_WINDOWS)),
});
/** GET /api/meta: what the dashboard needs to know about the server it talks to. */
export type Meta = z.infer<typeof metaSchema>;
