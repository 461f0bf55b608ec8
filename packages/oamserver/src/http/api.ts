import express, { type NextFunction, type Request, type Response } from 'express';
import { pathServices } from '../classifier/expected-path';
import { formatDuration } from '../config/duration';
import type { ProbeDefinition, TriggerDefinition } from '../config/probe-config-schema';
import type { AlertDispatcher } from '../alerts/alert-dispatcher';
import type { IncidentStore } from '../incidents/incident-store';
import type { OamCore } from '../oam-core';
import type { ProbeTimeline } from '../stats/probe-timeline';
import { STATS_WINDOWS, type StatsWindow } from '../stats/rolling-stats';
import type { RunFinder } from '../store/run-finder';
import { requireToken, sendUnauthorized, authorized, sessionRoutes, type SignInLimitOptions } from './api-auth';
import { sendError, sendNotFound, sendStorageUnavailable } from './api-errors';
import { dashboardRoutes, type DashboardFiles } from './dashboard-static';
import type { EventStream } from './event-stream';
import type { OamMetrics } from './metrics';
import { storedView } from './run-view';
import { incidentsRoutes } from './routes/incidents-routes';
import { runsRoutes } from './routes/runs-routes';
import { viewsRoutes } from './routes/views-routes';

/** What the HTTP API serves from. */
export interface ApiDeps {
  core: OamCore;
  metrics: OamMetrics;
  probes: readonly ProbeDefinition[];
  timeline: ProbeTimeline;
  finder: RunFinder;
  events: EventStream;
  /** The dashboard's build, served at `/`. */
  dashboard: DashboardFiles;
  jaegerUiUrl?: string;
  /** Whether the scheduler runs (readiness). */
  schedulerRunning: () => boolean;
  /** Fires a probe now and returns its run id. */
  fireNow: (probe: ProbeDefinition) => Promise<string>;
  incidents?: IncidentStore;
  alerts?: AlertDispatcher;
  /** When set, every /api/ route needs it (Bearer header or the dashboard's session cookie). */
  apiToken?: string;
  /** With an apiToken: /metrics needs it too (`server.metricsAuth`). */
  metricsAuth?: boolean;
  /** The limit on wrong tokens sent to `POST /api/session`, per client address (defaults: 10 a minute). */
  signInLimit?: SignInLimitOptions;
}

function probeSummary(probe: ProbeDefinition) {
  return {
    name: probe.name,
    description: probe.description,
    enabled: probe.enabled,
    every: formatDuration(probe.every),
    timeout: formatDuration(probe.timeout),
    path: pathServices(probe.path),
    ...(probe.journey
      ? {
          steps: probe.steps.map((step) => ({
            name: step.name,
            path: pathServices(step.path),
            budget: step.budget,
            trigger: triggerSummary(step.trigger),
            ...(step.cleanup ? { cleanup: true } : {}),
          })),
        }
      : { budget: probe.steps[0]!.budget, trigger: triggerSummary(probe.steps[0]!.trigger) }),
  };
}

/** Of a built-in trigger's options, the fields that say where it goes (never bodies, headers or credentials). */
const TRIGGER_SUMMARY_FIELDS: Record<string, readonly string[]> = {
  http: ['method', 'url'],
  rabbitmq: ['exchange', 'routingKey'],
  nats: ['subject'],
  redisStream: ['stream'],
};

/** What a probe's trigger is, without its body, headers or credentials (a plugin's options are not shown at all). */
function triggerSummary(trigger: TriggerDefinition): Record<string, Record<string, unknown>> {
  const options = (trigger.options ?? {}) as Record<string, unknown>;
  const fields = TRIGGER_SUMMARY_FIELDS[trigger.kind] ?? [];
  return { [trigger.kind]: Object.fromEntries(fields.map((field) => [field, options[field]])) };
}

/** `Server-Timing: app;dur=<ms>` on every API answer: how long the server worked on it. */
function serverTiming(_req: Request, res: Response, next: NextFunction): void {
  const started = performance.now();
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => Response;
  res.writeHead = ((...args: unknown[]) => {
    if (!res.headersSent) res.setHeader('server-timing', `app;dur=${(performance.now() - started).toFixed(1)}`);
    return writeHead(...args);
  }) as Response['writeHead'];
  next();
}

/**
 * The Oamserver's HTTP API: JSON under /api/ (every route in docs/http-api.md), Prometheus text
 * on /metrics, /healthz (the process answers), /readyz (storage reachable and scheduler
 * running), and the dashboard at `/`. Errors answer `{ error, code, field? }` with a 4xx or 503;
 * nothing here changes stored data except firing a run on request.
 */
export function createApi(deps: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use('/api', serverTiming);
  app.use(express.json({ limit: '16kb' }));
  const { core } = deps;

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

  app.get('/metrics', async (req, res) => {
    if (deps.apiToken !== undefined && deps.metricsAuth && !authorized(req, deps.apiToken)) {
      sendUnauthorized(res, req.headers.authorization !== undefined);
      return;
    }
    res.type(deps.metrics.contentType).send(await deps.metrics.text());
  });

  // The session route is how the dashboard signs in, so it is open; everything after it is locked.
  const session = sessionRoutes(deps.apiToken, deps.signInLimit);
  app.post('/api/session', session.create);
  app.delete('/api/session', session.remove);
  if (deps.apiToken !== undefined) app.use('/api', requireToken(deps.apiToken));

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
      sendStorageUnavailable(res, error);
    }
  });

  app.use(runsRoutes(deps));
  app.use(viewsRoutes(deps));
  app.use(incidentsRoutes(deps));

  app.get('/api/stats', (req, res) => {
    const raw = req.query.window ?? '15m';
    // Own keys only: `in` would take `constructor` or `toString` for a window (and answer 500).
    if (typeof raw !== 'string' || !Object.hasOwn(STATS_WINDOWS, raw)) {
      sendError(
        res,
        400,
        'HOPTRACE_API_BAD_REQUEST',
        `window: must be one of ${Object.keys(STATS_WINDOWS).join(', ')}`,
        {
          field: 'window',
        },
      );
      return;
    }
    const window = raw as StatsWindow;
    res.json({
      window,
      probes: core.stats.summaries(window, (k) => k.service === undefined),
      services: core.stats.summaries(window, (k) => k.service !== undefined && k.instance === undefined),
      instances: core.stats.summaries(window, (k) => k.instance !== undefined),
    });
  });

  app.get('/api/alerts', (_req, res) => {
    res.json({
      channels: deps.alerts?.channelNames ?? [],
      deliveries: deps.alerts?.recentDeliveries() ?? [],
    });
  });

  app.get('/api/events', deps.events.handle);

  app.use('/api', (req, res) => {
    sendNotFound(res, `no API route ${req.method} ${req.baseUrl}${req.path}`);
  });
  app.use(dashboardRoutes(deps.dashboard, deps.jaegerUiUrl));

  // A body that is not JSON, or too large: the client's fault, said in the API's shape.
  app.use((error: Error & { status?: number; type?: string }, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    const status = error.status ?? 500;
    if (status >= 400 && status < 500) {
      sendError(res, status, 'HOPTRACE_API_BAD_REQUEST', error.message);
      return;
    }
    next(error);
  });
  return app;
}
