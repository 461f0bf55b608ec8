import { createServer } from 'node:http';
// What every service of the platform shares: an Express app that is probe-aware, logs, answers
// /healthz, has the admin (fault) endpoints, applies faults to business routes, and shuts down
// cleanly on SIGTERM. A service file adds its routes between createService and startService.
import express from 'express';
import { getInstrumentation, probeMiddleware } from '@hoptrace/instrument';
import { adminRouter } from './admin.js';
import { FaultState, faultMiddleware } from './faults.js';
import { createLogger, requestLog } from './logger.js';
import { createRedis } from './redis.js';

/** How long open requests may take to finish on shutdown before their connections are cut. */
const SHUTDOWN_GRACE_MS = 3000;

/**
 * Builds the app of one service. Returns `{ app, logger, faults }`; routes added to `app`
 * afterwards get the faults. With `usesRedis` it also returns `redis`, the service's client,
 * and /healthz answers 503 until that client is connected, so that nobody sends traffic before
 * the service can serve it; `isReady()` can hold it back longer (a consumer not yet subscribed).
 */
export function createService(config, { usesRedis = false, isReady = () => true } = {}) {
  const logger = createLogger(config);
  const redis = usesRedis ? createRedis(config.redisUrl, logger) : undefined;
  const faults = new FaultState(config.faults);
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '256kb' }));
  // req.hoptraceProbe: the verified probe of this request, or undefined for ordinary traffic.
  app.use(probeMiddleware());
  app.use(requestLog(logger));
  // Health and admin come before the fault middleware: an injected fault breaks the business
  // routes, not the launcher's health checks or the way to remove the fault.
  app.get('/healthz', (req, res) => {
    const ready = (!redis || redis.status === 'ready') && isReady();
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ok' : 'starting',
      service: config.service,
      instance: config.instance,
      ...(redis ? { redis: redis.status } : {}),
    });
  });
  app.use('/admin', adminRouter({ faults, logger, supportsDropContext: config.supportsDropContext }));
  app.use(faultMiddleware(faults));
  return { app, logger, faults, redis };
}

function errorHandler(logger) {
  // Express recognises an error handler by its four parameters.
  // eslint-disable-next-line no-unused-vars
  return (error, req, res, next) => {
    const status = Number.isInteger(error.status) && error.status >= 400 ? error.status : 500;
    if (status >= 500) logger.error('request failed', { path: req.originalUrl, message: error.message });
    if (!res.headersSent) res.status(status).json({ error: status >= 500 ? error.message : 'bad request' });
  };
}

/**
 * Adds the final 404 and error handlers, listens, and installs the shutdown: on SIGTERM or
 * SIGINT stop accepting, let open requests finish, run `onShutdown` (stop consumers, quit
 * Redis), flush the hop records still queued, exit 0.
 */
export function startService({ app, config, logger, onShutdown = async () => undefined }) {
  app.use((req, res) => {
    res.status(404).json({ error: `no route ${req.method} ${req.path}` });
  });
  app.use(errorHandler(logger));
  // node:http rather than app.listen(): Express 5 hands a listen error (a port in use) to the
  // success callback. Say which port, and exit: the launcher reports it.
  const server = createServer(app);
  server.on('error', (error) => {
    process.stderr.write(`cannot listen on ${config.host}:${config.port}: ${error.code ?? error.message}\n`);
    process.exit(1);
  });
  server.listen(config.port, config.host, () => {
    logger.info('listening', { url: `http://${config.host}:${server.address().port}` });
  });
  let stopping = false;
  const shutdown = async (signal) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal });
    const closed = new Promise((resolve) => server.close(resolve));
    server.closeIdleConnections();
    const cut = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
    await closed;
    clearTimeout(cut);
    try {
      await onShutdown();
      await getInstrumentation()?.shutdown();
    } catch (error) {
      logger.error('shutdown', { message: error.message });
    }
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  return server;
}
