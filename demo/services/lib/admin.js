// Admin endpoints (fault injection), on the service's own server but for loopback callers only:
// anyone who can reach a service over the network must not be able to break it.
import express from 'express';
import { parseFaults } from './faults.js';

/** Whether a socket address is this machine (IPv4, IPv6, or IPv4 mapped into IPv6). */
export function isLoopback(address) {
  return typeof address === 'string' && (address === '::1' || /^(::ffff:)?127\./.test(address));
}

/** Exit code of an instance that crashed on request, so the launcher's report says why. */
export const CRASH_EXIT_CODE = 70;

/**
 * `GET /admin/faults`, `PUT /admin/faults` (replaces the faults; `crash: true` exits the process
 * once the answer is sent), `DELETE /admin/faults`.
 */
export function adminRouter({ faults, logger, supportsDropContext }) {
  const router = express.Router();
  router.use((req, res, next) => {
    if (isLoopback(req.socket.remoteAddress)) return next();
    res.status(403).json({ error: 'admin endpoints answer loopback callers only' });
  });
  router.get('/faults', (req, res) => {
    res.json(faults.get());
  });
  router.put('/faults', (req, res) => {
    const parsed = parseFaults(req.body ?? {}, { supportsDropContext });
    if (parsed.problems.length > 0) {
      res.status(400).json({ error: 'invalid faults', problems: parsed.problems });
      return;
    }
    faults.set(parsed.faults);
    logger.info('faults', { faults: parsed.faults, crash: parsed.crash });
    if (parsed.crash) {
      res.on('finish', () => {
        logger.error('crash', { message: 'exiting: crash requested through PUT /admin/faults' });
        process.exit(CRASH_EXIT_CODE);
      });
    }
    res.json({ ...faults.get(), crash: parsed.crash });
  });
  router.delete('/faults', (req, res) => {
    faults.clear();
    logger.info('faults', { faults: faults.get() });
    res.json(faults.get());
  });
  return router;
}
