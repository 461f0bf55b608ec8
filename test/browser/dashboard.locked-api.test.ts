import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, newContext, openWatchedPage, saveScreenshot, seriousAxeViolations } from '../support/browser';
import { cliEnv, startOamserver, writeConfig, type RunningOamserver } from '../support/oamserver';
import { deleteKeysUnder, testRedis, uniquePrefix } from '../support/redis';
import { waitFor } from '../support/wait';

const TOKEN = 'browser-locked-api-token-0123456789';

/** The header's live indicator in one state (`data-live`). */
function liveIndicator(page: Page, state: 'connecting' | 'live' | 'offline' | 'locked') {
  return page.locator(`header [data-live="${state}"]`);
}

/** What the page functions below use of the page's globals (the test project has no DOM types). */
interface PageWindow {
  __signedInWithoutReload?: boolean;
  document: { activeElement: unknown };
  getComputedStyle(element: unknown): { outlineStyle: string; outlineWidth: string };
}

/**
 * Lets two minutes pass on the page's (installed) clock, firing every timer due, such as a retry of
 * the event stream; then makes a request of its own, so that any request those timers started was
 * made, and seen by the test, before this returns.
 */
async function twoMinutesLater(page: Page): Promise<void> {
  await page.clock.fastForward('02:00');
  await page.evaluate(() => fetch('/healthz').then((r) => r.status));
}

// The dashboard on an Oamserver started with HOPTRACE_API_TOKEN: it asks for the token once, says
// when it is wrong, and with the right one shows the overview (the session cookie does the rest).
describe('the dashboard on a locked Oamserver', () => {
  const prefix = uniquePrefix('browser-locked');
  let redis: Redis;
  let server: RunningOamserver;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    redis = testRedis();
    const config = writeConfig(`
storage: { keyPrefix: "${prefix}" }
probes:
  - name: locked-probe
    enabled: false
    timeout: 2s
    trigger: { http: { url: "http://127.0.0.1:9/work" } }
    path: [solo]
`);
    [server, browser] = await Promise.all([
      startOamserver(config, cliEnv({ HOPTRACE_API_TOKEN: TOKEN })),
      launchBrowser(),
    ]);
    context = await newContext(browser);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  });

  it('asks for the token, refuses a wrong one, and with the right one shows the overview', async () => {
    const watched = await openWatchedPage(context);
    const { page } = watched;
    await page.goto(`${server.url}/`);

    const field = page.getByLabel('API token');
    await field.waitFor();
    await expect(page.getByRole('heading', { name: 'Sign in' }).isVisible()).resolves.toBe(true);
    // Focus is in the field, so a keyboard user types straight away.
    await page.waitForFunction(() => {
      const active = (
        globalThis as unknown as { document: { activeElement: { getAttribute(n: string): string | null } | null } }
      ).document.activeElement;
      return active?.getAttribute('name') === 'token';
    });
    expect(await seriousAxeViolations(page)).toEqual([]);

    await field.fill('wrong-token-wrong-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const error = page.getByRole('alert').filter({ hasText: 'Wrong token' });
    await error.waitFor();
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(await field.getAttribute('aria-describedby')).toBe('sign-in-error');
    expect((await context.cookies()).some((c) => c.name === 'hoptrace_token')).toBe(false);

    await field.fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'locked-probe' }).waitFor();
    expect(await page.getByLabel('API token').count()).toBe(0);

    const cookie = (await context.cookies()).find((c) => c.name === 'hoptrace_token');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api', expires: -1 });
    expect(cookie?.value).not.toContain(TOKEN);

    // The 401s before signing in are the browser's own "Failed to load resource" lines.
    expect(watched.problems([/status of 401/])).toEqual([]);
  });

  it('says "locked" while signed out (no stream retries), goes live on sign-in without a reload, and signs out with the keyboard', async () => {
    const fresh = await newContext(browser);
    try {
      await fresh.clock.install();
      const watched = await openWatchedPage(fresh);
      const { page } = watched;
      const streams: string[] = [];
      const sessionCalls: string[] = [];
      page.on('request', (r) => {
        const path = new URL(r.url()).pathname;
        if (path === '/api/events') streams.push(r.method());
        if (path === '/api/session') sessionCalls.push(r.method());
      });
      await page.goto(`${server.url}/`);

      // Signed out: the indicator says why there is nothing live, and the refused stream is not retried.
      await page.getByLabel('API token').waitFor();
      await liveIndicator(page, 'locked').waitFor();
      const locked = liveIndicator(page, 'locked');
      expect(await locked.textContent()).toBe('locked');
      expect(await locked.getAttribute('title')).toMatch(/API needs its token \(HOPTRACE_API_TOKEN\)/);
      expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
      await twoMinutesLater(page);
      expect(streams).toEqual(['GET']);
      expect(await locked.count()).toBe(1);
      await saveScreenshot(page, 'locked-signed-out');

      // Signed in: the page the URL names and a live stream, in the same document.
      await page.evaluate(() => void ((globalThis as unknown as PageWindow).__signedInWithoutReload = true));
      await page.getByLabel('API token').fill(TOKEN);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'locked-probe' }).waitFor();
      await liveIndicator(page, 'live').waitFor();
      expect(await page.evaluate(() => (globalThis as unknown as PageWindow).__signedInWithoutReload)).toBe(true);
      expect(streams).toEqual(['GET', 'GET']);
      const signOut = page.getByRole('button', { name: 'Sign out' });
      await signOut.waitFor();
      expect(await seriousAxeViolations(page)).toEqual([]);

      // "Sign out" with the keyboard: it is the next stop after the last page link, with a visible ring.
      await page.getByRole('link', { name: 'Incidents' }).focus();
      await page.keyboard.press('Tab');
      const focus = await signOut.evaluate((button) => {
        const win = globalThis as unknown as PageWindow;
        const style = win.getComputedStyle(button);
        return {
          focused: win.document.activeElement === button,
          focusVisible: (button as unknown as { matches(selector: string): boolean }).matches(':focus-visible'),
          outline: `${style.outlineStyle} ${style.outlineWidth}`,
        };
      });
      expect(focus).toEqual({ focused: true, focusVisible: true, outline: 'solid 2px' });
      await saveScreenshot(page, 'locked-signed-in');
      await page.keyboard.press('Enter');

      // Signed out: DELETE /api/session, the cookie gone, the sign-in form (empty) and "locked" again.
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await liveIndicator(page, 'locked').waitFor();
      expect(sessionCalls).toEqual(['POST', 'DELETE']);
      expect(await page.getByLabel('API token').inputValue()).toBe('');
      expect(await signOut.count()).toBe(0);
      expect((await fresh.cookies()).some((c) => c.name === 'hoptrace_token')).toBe(false);
      expect(await page.evaluate(() => (globalThis as unknown as PageWindow).__signedInWithoutReload)).toBe(true);
      // What the page asks now is refused: it holds no session any more.
      expect(await page.evaluate(() => fetch('/api/meta').then((r) => r.status))).toBe(401);
      await twoMinutesLater(page);
      expect(streams).toEqual(['GET', 'GET']);

      expect(watched.problems([/status of 401/])).toEqual([]);
    } finally {
      await fresh.close();
    }
  });
});

// An open Oamserver (no HOPTRACE_API_TOKEN) has nothing to sign out of.
describe('the dashboard on an open Oamserver', () => {
  const prefix = uniquePrefix('browser-open');
  let redis: Redis;
  let server: RunningOamserver;
  let browser: Browser;

  beforeAll(async () => {
    redis = testRedis();
    const config = writeConfig(`
storage: { keyPrefix: "${prefix}" }
probes:
  - name: open-probe
    enabled: false
    timeout: 2s
    trigger: { http: { url: "http://127.0.0.1:9/work" } }
    path: [solo]
`);
    [server, browser] = await Promise.all([startOamserver(config, cliEnv()), launchBrowser()]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  });

  it('shows no "Sign out" and no sign-in form, and goes live', async () => {
    const context = await newContext(browser);
    try {
      const watched = await openWatchedPage(context);
      const { page } = watched;
      // The page asks /api/meta twice: for itself, and without credentials to learn whether the API is locked.
      const metaAnswers: number[] = [];
      page.on('response', (r) => {
        if (new URL(r.url()).pathname === '/api/meta') metaAnswers.push(r.status());
      });
      await page.goto(`${server.url}/`);
      await page.getByRole('heading', { name: 'open-probe' }).waitFor();
      await liveIndicator(page, 'live').waitFor();
      await waitFor(() => metaAnswers.length >= 2, { what: 'the second answer of /api/meta' });
      expect(metaAnswers).toEqual([200, 200]);
      expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
      expect(await page.getByLabel('API token').count()).toBe(0);
      expect(watched.problems()).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
