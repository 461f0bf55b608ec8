// JSON lines, one per event. Stdout stays quiet unless the service runs with --verbose or
// DEMO_VERBOSE=1 (a demo with six services would otherwise drown the launcher's own output);
// errors always go to stderr, where the launcher keeps the last lines of each child.

/** A logger for one service instance. */
export function createLogger({ service, instance, verbose }) {
  const line = (level, event, fields) =>
    `${JSON.stringify({ time: new Date().toISOString(), level, service, instance, event, ...fields })}\n`;
  return {
    verbose,
    info(event, fields = {}) {
      if (verbose) process.stdout.write(line('info', event, fields));
    },
    error(event, fields = {}) {
      process.stderr.write(line('error', event, fields));
    },
  };
}

/** Express middleware: one log line per request when it finishes (method, route, status, time, probe). */
export function requestLog(logger) {
  return (req, res, next) => {
    if (!logger.verbose) return next();
    const startedAt = process.hrtime.bigint();
    res.on('finish', () => {
      logger.info('request', {
        method: req.method,
        path: req.originalUrl,
        status: res.statusCode,
        ms: Number((process.hrtime.bigint() - startedAt) / 1000n) / 1000,
        probe: req.hoptraceProbe?.name ?? null,
      });
    });
    next();
  };
}
