import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Request, type Response } from 'express';

/** Routes the API owns; everything else may be a dashboard page. */
const NOT_PAGES = /^\/(api|metrics|healthz|readyz)(\/|$)/;

/** Where a built dashboard is, or why there is none. */
export type DashboardFiles = { dir: string } | { missing: string };

/** The dashboard's build folder when it holds a build (an index.html). */
export function findDashboard(dir: string | undefined): DashboardFiles {
  if (!dir) return { missing: 'the @hoptrace/dashboard package is not installed next to the Oamserver' };
  if (!existsSync(join(dir, 'index.html'))) return { missing: `no dashboard build in ${dir}` };
  return { dir };
}

/**
 * The page's Content-Security-Policy: only our own scripts and API, and frames from Jaeger's
 * origin alone (the run page embeds Jaeger's trace view).
 */
function contentSecurityPolicy(jaegerUiUrl: string | undefined): string {
  let frames = "'none'";
  if (jaegerUiUrl) {
    try {
      frames = new URL(jaegerUiUrl).origin;
    } catch {
      // A malformed JAEGER_UI_URL embeds nothing.
    }
  }
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    `frame-src ${frames}`,
    "object-src 'none'",
    "base-uri 'self'",
  ].join('; ');
}

function wantsPage(req: Request): boolean {
  return (req.method === 'GET' || req.method === 'HEAD') && !NOT_PAGES.test(req.path);
}

/** What `/` says when the dashboard was not built: the API still works. */
function notBuiltPage(reason: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>hoptrace: dashboard not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 42rem; margin: 3rem auto; line-height: 1.5">
<h1>The hoptrace dashboard is not built</h1>
<p>The Oamserver is running and its API answers under <a href="/api/overview"><code>/api/</code></a>, but there is no dashboard to show (${reason.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)}).</p>
<p>Build it with <code>pnpm build</code> at the root of the hoptrace repository (or <code>pnpm --filter @hoptrace/dashboard build</code>), then restart <code>hoptrace serve</code>. <code>HOPTRACE_DASHBOARD_DIR</code> points the Oamserver at a build elsewhere.</p>
</body></html>`;
}

/**
 * Serves the dashboard at `/`: its static files (hashed assets cached for good, pages never),
 * and index.html for every other page path, so that a shared link like /runs/<id> opens the
 * right page. Without a build, pages answer 503 with how to build it; the API is unaffected.
 */
export function dashboardRoutes(files: DashboardFiles, jaegerUiUrl: string | undefined): express.Router {
  const router = express.Router();
  const csp = contentSecurityPolicy(jaegerUiUrl);
  if ('missing' in files) {
    router.use((req, res, next) => {
      if (!wantsPage(req)) return next();
      res.status(503).type('html').send(notBuiltPage(files.missing));
    });
    return router;
  }
  router.use(
    '/assets',
    express.static(join(files.dir, 'assets'), { immutable: true, maxAge: '365d', index: false, fallthrough: false }),
  );
  router.use(express.static(files.dir, { index: false, maxAge: 0 }));
  router.use((req: Request, res: Response, next) => {
    if (!wantsPage(req)) return next();
    res.setHeader('content-security-policy', csp);
    res.setHeader('cache-control', 'no-cache');
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'same-origin');
    // Relative to its folder: `send` refuses a path with a dot-segment in it, and an installed
    // package's real path has one (pnpm: node_modules/.pnpm/...), which made / answer 404.
    res.sendFile('index.html', { root: files.dir });
  });
  return router;
}
