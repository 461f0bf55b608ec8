import express, { type Request, type Response } from 'express';
import { VERDICTS, type Verdict } from '../classifier/types';
import { formatDuration } from '../config/duration';
import type { ProbeDefinition } from '../config/probe-config-schema';
import type { AlertDispatcher } from '../alerts/alert-dispatcher';
import type { IncidentStore } from '../incidents/incident-store';
import type { OamCore } from '../oam-core';
import { STATS_WINDOWS, type StatsWindow } from '../stats/rolling-stats';
import type { OamMetrics } from './metrics';
import { resultView, storedView, type RunView } from './run-view';

/** What the HTTP API serves from. */
export interface ApiDeps {
  core: OamCore;
  metrics: OamMetrics;
  probes: readonly ProbeDefinition[];
  jaegerUiUrl?: string;
  /** Whether the scheduler runs (readiness). */
  schedulerRunning: () => boolean;
  /** Fires a probe now and returns its run id. */
  fireNow: (probe: ProbeDefinition) => Promise<string>;
  incidents?: IncidentStore;
  alerts?: AlertDispatcher;
}

function windowOf(req: Request): StatsWindow | undefined {
  const raw = (req.query.window as string | undefined) ?? '15m';
  return raw in STATS_WINDOWS ? (raw as StatsWindow) : undefined;
}

function limitOf(req: Request): number {
  const n = Number(req.query.limit ?? 50);
  return Number.isInteger(n) && n > 0 ? Math.min(n, 1000) : 50;
}

function probeSummary(probe: ProbeDefinition) {
  return {
    name: probe.name,
    description: probe.description,
    enabled: probe.enabled,
    every: formatDuration(probe.every),
    timeout: formatDuration(probe.timeout),
    path: probe.path,
    budget: probe.budget,
    trigger: probe.trigger.http
      ? { http: { method: probe.trigger.http.method, url: probe.trigger.http.url } }
      : { redisStream: { stream: probe.trigger.redisStream!.stream } },
  };
}

/**
 * The Oamserver's HTTP API: JSON under /api/, Prometheus text on /metrics, /healthz (the
 * process answers) and /readyz (storage reachable and scheduler running). Storage errors answer
 * 503 with the reason; nothing here changes stored data except firing a run on request.
 */
export function createApi(deps: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '16kb' }));
  const { core } = deps;
  const byName = new Map(deps.probes.map((p) => [p.name, p]));
  const unavailable = (res: Response, error: unknown): void => {
    res.status(503).json({ error: 'storage unavailable', detail: (error as Error).message });
  };

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    // Answer within a second even when Redis hangs: orchestrators time out readiness probes.
    const storage = await Promise.race([
      core.store.ping().catch(() => false),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 1000).unref()),
    ]);
    const scheduler = deps.schedulerRunning();
    res.status(storage && scheduler ? 200 : 503).json({ ready: storage && scheduler, storage, scheduler });
  });

  app.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.contentType).send(await deps.metrics.text());
  });

  app.get('/api/probes', async (_req, res) => {
    try {
      const probes = await Promise.all(
        deps.probes.map(async (probe) => {
          const [last] = await core.store.recentRuns({ probe: probe.name, limit: 1 });
          return {
            ...probeSummary(probe),
            lastRun: last ? storedView(last, deps.jaegerUiUrl) : null,
            stats: Object.fromEntries(
              (Object.keys(STATS_WINDOWS) as StatsWindow[]).map((w) => [
                w,
                core.stats.summary({ probe: probe.name }, w),
              ]),
            ),
          };
        }),
      );
      res.json({ probes });
    } catch (error) {
      unavailable(res, error);
    }
  });

  app.post('/api/probes/:name/runs', async (req, res) => {
    const probe = byName.get(req.params.name);
    if (!probe) {
      res.status(404).json({ error: `no probe named "${req.params.name}"` });
      return;
    }
    const runId = await deps.fireNow(probe);
    if (req.query.wait !== '1' && req.query.wait !== 'true') {
      res.status(202).json({ runId, url: `/api/runs/${runId}` });
      return;
    }
    const result = await core.collector.waitForResult(runId, probe.timeout + 10_000);
    if (result) res.json(resultView(result, deps.jaegerUiUrl));
    else res.status(504).json({ error: 'no verdict in time', runId });
  });

  app.get('/api/runs', async (req, res) => {
    const verdict = req.query.verdict as string | undefined;
    if (verdict !== undefined && !VERDICTS.includes(verdict as Verdict)) {
      res.status(400).json({ error: `verdict must be one of ${VERDICTS.join(', ')}` });
      return;
    }
    try {
      const probe = req.query.probe as string | undefined;
      if (probe !== undefined && !byName.has(probe)) {
        res.status(404).json({ error: `no probe named "${probe}"` });
        return;
      }
      const limit = limitOf(req);
      const stored = await core.store.recentRuns({ probe, limit: verdict ? Math.min(limit * 10, 1000) : limit });
      let runs: RunView[] = stored.map((s) => storedView(s, deps.jaegerUiUrl));
      if (verdict) runs = runs.filter((r) => r.verdict === verdict).slice(0, limit);
      res.json({ runs });
    } catch (error) {
      unavailable(res, error);
    }
  });

  app.get('/api/runs/:runId', async (req, res) => {
    try {
      const stored = /^[A-Za-z0-9_-]{1,64}$/.test(req.params.runId)
        ? await core.store.loadRun(req.params.runId)
        : undefined;
      if (!stored) {
        res.status(404).json({ error: `no run "${req.params.runId}" (unknown, or expired)` });
        return;
      }
      res.json(storedView(stored, deps.jaegerUiUrl));
    } catch (error) {
      unavailable(res, error);
    }
  });

  app.get('/api/stats', (req, res) => {
    const window = windowOf(req);
    if (!window) {
      res.status(400).json({ error: `window must be one of ${Object.keys(STATS_WINDOWS).join(', ')}` });
      return;
    }
    res.json({
      window,
      probes: core.stats.summaries(window, (k) => k.service === undefined),
      services: core.stats.summaries(window, (k) => k.service !== undefined && k.instance === undefined),
      instances: core.stats.summaries(window, (k) => k.instance !== undefined),
    });
  });

  app.get('/api/incidents', async (req, res) => {
    if (!deps.incidents) {
      res.json({ incidents: [] });
      return;
    }
    const state = (req.query.state as string | undefined) ?? 'open';
    if (state !== 'open' && state !== 'all') {
      res.status(400).json({ error: 'state must be open or all' });
      return;
    }
    try {
      res.json({ incidents: await deps.incidents.list({ state, limit: limitOf(req) }) });
    } catch (error) {
      unavailable(res, error);
    }
  });

  app.get('/api/alerts', (_req, res) => {
    res.json({
      channels: deps.alerts?.channelNames ?? [],
      deliveries: deps.alerts?.recentDeliveries() ?? [],
    });
  });

  app.use('/api', (_req, res) => {
    res.status(404).json({ error: 'no such API route' });
  });
  return app;
}
