import { Router } from 'express';
import { z } from 'zod';
import type { ApiDeps } from '../api';
import { sendBadQuery, sendNotFound, sendStorageUnavailable } from '../api-errors';
import { buildIncidentDetail } from '../incident-detail';

const listQuery = z.object({
  state: z.enum(['open', 'all']).default('open'),
  limit: z
    .string()
    .regex(/^\d{1,4}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(1).max(1000))
    .default(50),
});

/** Incidents: the list, and one with its story. */
export function incidentsRoutes(deps: ApiDeps): Router {
  const router = Router();

  router.get('/api/incidents', async (req, res) => {
    const parsed = listQuery.safeParse(req.query);
    if (!parsed.success) {
      sendBadQuery(res, parsed.error);
      return;
    }
    if (!deps.incidents) {
      res.json({ incidents: [] });
      return;
    }
    try {
      res.json({ incidents: await deps.incidents.list(parsed.data) });
    } catch (error) {
      sendStorageUnavailable(res, error);
    }
  });

  router.get('/api/incidents/:id', async (req, res) => {
    const { id } = req.params;
    try {
      const incident = id.length <= 512 ? await deps.incidents?.get(id) : undefined;
      if (!incident) {
        sendNotFound(res, `no incident "${id.slice(0, 120)}" (unknown, or forgotten after its retention)`);
        return;
      }
      res.json(
        await buildIncidentDetail(incident, {
          store: deps.core.store,
          finder: deps.finder,
          jaegerUiUrl: deps.jaegerUiUrl,
        }),
      );
    } catch (error) {
      sendStorageUnavailable(res, error);
    }
  });
  return router;
}
