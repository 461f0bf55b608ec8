import { Router } from 'express';
import {
  DEFAULT_RUNS_PAGE,
  encodeRunsCursor,
  RUN_ID_PATTERN,
  runsQuerySchema,
  type RunSummary,
  type RunView,
} from '@hoptrace/core/api';
import type { ApiDeps } from '../api';
import { sendBadQuery, sendError, sendNotFound, sendStorageUnavailable } from '../api-errors';
import { resultView, storedView, summaryView } from '../run-view';

/** Runs: fire one now, find them (filters and cursor paging), read one. */
export function runsRoutes(deps: ApiDeps): Router {
  const router = Router();
  const { core } = deps;
  const byName = new Map(deps.probes.map((p) => [p.name, p]));

  router.post('/api/probes/:name/runs', async (req, res) => {
    const probe = byName.get(req.params.name);
    if (!probe) {
      sendNotFound(res, `no probe named "${req.params.name}"`);
      return;
    }
    const runId = await deps.fireNow(probe);
    if (req.query.wait !== '1' && req.query.wait !== 'true') {
      res.status(202).json({ runId, url: `/api/runs/${runId}` });
      return;
    }
    const result = await core.collector.waitForResult(runId, probe.timeout + 10_000);
    if (result) res.json(resultView(result, deps.jaegerUiUrl));
    else sendError(res, 504, 'HOPTRACE_RUN_TIMEOUT', `no verdict in time for run ${runId}`, { detail: runId });
  });

  router.get('/api/runs', async (req, res) => {
    const parsed = runsQuerySchema.safeParse(req.query);
    if (!parsed.success) {
      sendBadQuery(res, parsed.error);
      return;
    }
    const query = parsed.data;
    if (query.probe !== undefined && !byName.has(query.probe)) {
      sendNotFound(res, `no probe named "${query.probe}"`);
      return;
    }
    try {
      const found = await deps.finder.find(
        {
          probe: query.probe,
          verdicts: query.verdict,
          service: query.service,
          instance: query.instance,
          fromMs: query.from,
          toMs: query.to,
        },
        { limit: query.limit ?? DEFAULT_RUNS_PAGE, cursor: query.cursor },
      );
      const page = {
        next: found.next ? encodeRunsCursor(found.next) : undefined,
        scanned: found.scanned,
        partial: found.partial,
      };
      if (query.view === 'summary') {
        const runs: RunSummary[] = found.runs.map((s) => summaryView(s, deps.jaegerUiUrl));
        res.json({ runs, ...page });
        return;
      }
      const stored = await Promise.all(found.runs.map((s) => core.store.loadRun(s.runId)));
      const runs: RunView[] = stored.flatMap((s) => (s ? [storedView(s, deps.jaegerUiUrl)] : []));
      res.json({ runs, ...page });
    } catch (error) {
      sendStorageUnavailable(res, error);
    }
  });

  router.get('/api/runs/:runId', async (req, res) => {
    const { runId } = req.params;
    if (!RUN_ID_PATTERN.test(runId)) {
      sendError(res, 400, 'HOPTRACE_API_BAD_REQUEST', `"${runId.slice(0, 80)}" is not a run id`, { field: 'runId' });
      return;
    }
    try {
      const stored = await core.store.loadRun(runId);
      if (!stored) sendNotFound(res, `no run "${runId}" (unknown, or expired)`);
      else res.json(storedView(stored, deps.jaegerUiUrl));
    } catch (error) {
      sendStorageUnavailable(res, error);
    }
  });
  return router;
}
