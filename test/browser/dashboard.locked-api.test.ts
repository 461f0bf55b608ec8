import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchBrowser, newContext, openWatchedPage, seriousAxeViolations } from '../support/browser';
import { cliEnv, startOamserver, writeConfig, type RunningOamserver } from '../support/oamserver';
import { deleteKeysUnder, testRedis, uniquePrefix } from '../support/redis';

const TOKEN = 'browser-locked-api-token-0123456789';

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
});
