import { Router } from 'express';
import { z } from 'zod';
import { OVERVIEW_WINDOWS, overviewWindowSchema, PROBE_NAME_PATTERN, type Meta } from '@hoptrace/core/api';
import { OAMSERVER_VERSION } from '../../version';
import type { ApiDeps } from '../api';
import { sendBadQuery, sendNotFound, sendStorageUnavailable } from '../api-errors';
import { buildFlowMap } from '../flow-map';
import { buildOverview } from '../overview';

const overviewQuery = z.object({
  window: overviewWindowSchema.default('1h'),
  cells: z
    .string()
    .regex(/^\d{1,3}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(1).max(200))
    .default(60),
});

const mapQuery = z.object({
  window: overviewWindowSchema.default('1h'),
  probe: z.string().regex(PROBE_NAME_PATTERN, 'is not a probe name').optional(),
});

/** What the dashboard's pages are built from: meta, the overview, the flow map. */
export function viewsRoutes(deps: ApiDeps): Router {
  const router = Router();

  router.get('/api/meta', (_req, res) => {
    const meta: Meta = {
      version: OAMSERVER_VERSION,
      probes: deps.probes.map((p) => p.name),
      windows: [...OVERVIEW_WINDOWS],
    };
    if (deps.jaegerUiUrl) meta.jaegerUiUrl = deps.jaegerUiUrl;
    res.json(meta);
  });

  router.get('/api/overview', async (req, res) => {
    const parsed = overviewQuery.safeParse(req.query);
    if (!parsed.success) {
      sendBadQuery(res, parsed.error);
      return;
    }
    const overview = await buildOverview(
      {
        probes: deps.probes,
        store: deps.core.store,
        timeline: deps.timeline,
        incidents: deps.incidents,
        jaegerUiUrl: deps.jaegerUiUrl,
      },
      parsed.data.window,
      parsed.data.cells,
    );
    res.json(overview);
  });

  router.get('/api/map', async (req, res) => {
    const parsed = mapQuery.safeParse(req.query);
    if (!parsed.success) {
      sendBadQuery(res, parsed.error);
      return;
    }
    const { probe, window } = parsed.data;
    const probes = probe === undefined ? deps.probes : deps.probes.filter((p) => p.name === probe);
    if (probes.length === 0) {
      sendNotFound(res, `no probe named "${probe}"`);
      return;
    }
    try {
      res.json(await buildFlowMap(deps.core.store, probes, window));
    } catch (error) {
      sendStorageUnavailable(res, error);
    }
  });
  return router;
}
