import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { sendError } from './api-errors';
import { rateLimit } from 'express-rate-limit';

/** Name of the dashboard's session cookie (HttpOnly, SameSite=Strict, Path=/api, no Max-Age). */
export const SESSION_COOKIE = 'hoptrace_token';

/** Shortest API token accepted (like HOPTRACE_SECRET's keys). */
export const MIN_API_TOKEN_LENGTH = 16;

/** SHA-256 of a string: equal-length buffers for timingSafeEqual, whatever the input's length. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Whether `candidate` is `expected`, compared in constant time. */
export function sameSecret(expected: string, candidate: string): boolean {
  return timingSafeEqual(digest(expected), digest(candidate));
}

/**
 * The cookie's value: derived from the token (HMAC), so the browser never holds the token itself,
 * and the same on every Oamserver sharing the token (a restart does not sign anyone out).
 */
export function sessionValue(token: string): string {
  return createHmac('sha256', token).update('hoptrace dashboard session').digest('base64url');
}

/** The value of one cookie in a `Cookie` header, or undefined. */
function cookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The bearer token of an `Authorization` header, or undefined. */
function bearer(req: Request): string | undefined {
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

/** Whether a request carries the token: `Authorization: Bearer <token>` or the session cookie. */
export function authorized(req: Request, token: string): boolean {
  const presented = bearer(req);
  if (presented !== undefined) return sameSecret(token, presented);
  const session = cookie(req, SESSION_COOKIE);
  return session !== undefined && sameSecret(sessionValue(token), session);
}

/** 401 in the API's error shape, with the challenge RFC 6750 asks for. */
export function sendUnauthorized(res: Response, wrong: boolean): void {
  res.setHeader(
    'WWW-Authenticate',
    wrong ? 'Bearer realm="hoptrace", error="invalid_token"' : 'Bearer realm="hoptrace"',
  );
  sendError(
    res,
    401,
    'HOPTRACE_API_UNAUTHORIZED',
    wrong
      ? 'wrong API token'
      : 'this Oamserver needs an API token (Authorization: Bearer <HOPTRACE_API_TOKEN>, or sign in on the dashboard)',
  );
}

/** Middleware: lets a request through only when it carries the token. */
export function requireToken(token: string): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (authorized(req, token)) return next();
    const wrong = bearer(req) !== undefined || cookie(req, SESSION_COOKIE) !== undefined;
    sendUnauthorized(res, wrong);
  };
}

const sessionBodySchema = z.object({ token: z.string().min(1).max(4096) }).strict();

/** The limit on wrong tokens sent to `POST /api/session`, per client address. */
export interface SignInLimitOptions {
  /** Wrong tokens (and malformed bodies) one address may send per window. Default 10. */
  maxFailures?: number;
  /** The window, in ms. Default 60 000. */
  windowMs?: number;
}

/**
 * Counts failed sign-ins per client address with express-rate-limit: successful ones are not
 * counted (`skipSuccessfulRequests`); past the limit every attempt of that address is refused
 * until its window ends. The address is the socket's (no `trust proxy`: X-Forwarded-For, which
 * anyone can write, is ignored; behind a proxy every client shares the proxy's limit, see
 * docs/security.md); IPv6 addresses are counted per /56 (the library's default), which one site
 * usually holds whole. The library's in-memory store forgets every address each window.
 */
function signInRateLimit(options: SignInLimitOptions): RequestHandler {
  return rateLimit({
    windowMs: options.windowMs ?? 60_000,
    limit: options.maxFailures ?? 10,
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    // Proxies are documented (docs/security.md); the library would also log about them.
    validate: { xForwardedForHeader: false },
    handler: (_req, res) => {
      const seconds = res.getHeader('Retry-After') ?? '60';
      sendError(
        res,
        429,
        'HOPTRACE_TOO_MANY_ATTEMPTS',
        `too many wrong API tokens from this address: try again in ${String(seconds)} s`,
      );
    },
  });
}

/**
 * `POST /api/session {"token": "..."}`: checks the token and sets the session cookie the dashboard
 * uses for every /api call and its event stream (EventSource cannot send headers). No Max-Age:
 * the cookie ends with the browser session. `DELETE /api/session` clears it.
 *
 * Wrong tokens are counted per client address (`limit`): past its limit an address gets 429
 * `HOPTRACE_TOO_MANY_ATTEMPTS` with `Retry-After` until its window ends, whatever token it sends,
 * the right one included (otherwise a 200 among the 429s would still tell a guesser it had won).
 */
export function sessionRoutes(
  token: string | undefined,
  limit: SignInLimitOptions = {},
): { create: RequestHandler[]; remove: RequestHandler } {
  const create: RequestHandler = (req, res) => {
    const body = sessionBodySchema.safeParse(req.body);
    if (!body.success) {
      sendError(res, 400, 'HOPTRACE_API_BAD_REQUEST', 'token: expected {"token": "<API token>"}', {
        field: 'token',
      });
      return;
    }
    if (token === undefined) {
      // An open API needs no session: say so, without setting anything.
      res.json({ authenticated: true, locked: false });
      return;
    }
    if (!sameSecret(token, body.data.token)) {
      sendUnauthorized(res, true);
      return;
    }
    const secure = req.secure ? '; Secure' : '';
    res.setHeader(
      'Set-Cookie',
      `${SESSION_COOKIE}=${sessionValue(token)}; Path=/api; HttpOnly; SameSite=Strict${secure}`,
    );
    res.json({ authenticated: true, locked: true });
  };
  return {
    create: [signInRateLimit(limit), create],
    remove: (_req, res) => {
      res.setHeader('Set-Cookie', `${SESSION_COOKIE}=; Path=/api; HttpOnly; SameSite=Strict; Max-Age=0`);
      res.status(204).end();
    },
  };
}
