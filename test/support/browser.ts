// Browser helpers for the dashboard suites: Debian's chromium driven by playwright-core, a page
// that records what went wrong in it, an axe-core check, a keyboard walk and screenshots.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AxeResults } from 'axe-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '@hoptrace/demo/chromium';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium (`apt-get install chromium`); `npx playwright install` cannot download browsers here. */
export { CHROMIUM_PATH };

/** Where the suites save their screenshots (ignored by git). */
export const ARTIFACTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'browser', 'artifacts');

/** Starts headless chromium; fails (never skips) with what to install when it is missing. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `chromium is not installed at ${CHROMIUM_PATH}: the dashboard's browser tests drive Debian's chromium. ` +
        'Install it with `sudo apt-get install -y chromium` (Debian/Ubuntu), then run the tests again.',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] });
}

/** A browser context the size of a laptop screen, in one fixed zone and locale. */
export function newContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({
    viewport: { width: 1280, height: 800 },
    locale: 'en-US',
    timezoneId: 'UTC',
  });
}

/** A console error line and where it came from. */
export interface ConsoleLine {
  text: string;
  url: string;
}

/** A page and what went wrong in it since it was opened. */
export interface WatchedPage {
  readonly page: Page;
  /** Uncaught exceptions and unhandled rejections in the page. */
  readonly pageErrors: string[];
  /** `console.error` lines, the app's and the browser's own. */
  readonly consoleErrors: ConsoleLine[];
  /**
   * Everything that went wrong, as lines, except console lines matching one of `expected` (for
   * example the browser's own "Failed to load resource" line for a 4xx the page asked for on
   * purpose). Empty when the page is clean.
   */
  problems(expected?: readonly RegExp[]): string[];
}

/**
 * The few DOM shapes the page functions below use: the test project is compiled without the DOM
 * library (it would change the types of Node's own globals such as `fetch`). Functions passed to
 * `page.evaluate` run in the page and cannot use anything from this module but types.
 */
interface DomElement {
  readonly tagName: string;
  readonly textContent: string | null;
  readonly isConnected: boolean;
  readonly disabled?: boolean;
  getAttribute(name: string): string | null;
  closest(selector: string): DomElement | null;
  checkVisibility(options?: { visibilityProperty?: boolean }): boolean;
  blur?(): void;
}
interface KeyboardWalkState {
  controls: DomElement[];
  remaining(): DomElement[];
}
interface PageGlobals {
  document: {
    querySelectorAll(selector: string): ArrayLike<DomElement>;
    addEventListener(type: string, listener: (event: { target: unknown }) => void, capture?: boolean): void;
    readonly activeElement: DomElement | null;
  };
  axe?: { run(context: unknown, options: object): Promise<AxeResults> };
  __keyboardWalk?: KeyboardWalkState;
}

/** Opens a page in `context` and records its page errors and console errors. */
export async function openWatchedPage(context: BrowserContext): Promise<WatchedPage> {
  const page = await context.newPage();
  const pageErrors: string[] = [];
  const consoleErrors: ConsoleLine[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.stack ?? String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push({ text: message.text(), url: message.location().url });
  });
  return {
    page,
    pageErrors,
    consoleErrors,
    problems: (expected = []) => [
      ...pageErrors.map((e) => `page error: ${e}`),
      ...consoleErrors
        .filter((line) => !expected.some((re) => re.test(`${line.text} ${line.url}`)))
        .map((line) => `console error: ${line.text}${line.url ? ` (at ${line.url})` : ''}`),
    ],
  };
}

const AXE_SOURCE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/**
 * Runs axe-core on the page and returns its `serious` and `critical` violations, one readable line
 * per violation and element (empty when there are none).
 *
 * axe.min.js is evaluated through the DevTools protocol rather than added with
 * `page.addScriptTag`: that adds an inline <script>, which the dashboard's Content-Security-Policy
 * (`script-src 'self'`) rightly blocks, and `bypassCSP` would switch off the very policy the page
 * runs under in production. The Jaeger iframe is another site's page and is not checked
 * (`iframes: false`); the iframe element itself is (its title).
 */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  const loaded = await page.evaluate(() => (globalThis as unknown as PageGlobals).axe !== undefined);
  if (!loaded) await page.evaluate(`${readFileSync(AXE_SOURCE_PATH, 'utf8')}\n;undefined`);
  const violations = await page.evaluate(async () => {
    const { axe, document } = globalThis as unknown as PageGlobals;
    const results = await axe!.run(document, { resultTypes: ['violations'], iframes: false });
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? null,
      help: v.help,
      nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`.replaceAll('\n', ' ')),
    }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((node) => `${v.impact} ${v.id} (${v.help}): ${node}`));
}

/** What a keyboard walk found. */
export interface KeyboardWalk {
  /** Visible, enabled controls on the page when the walk started. */
  controls: number;
  /** Tab presses made. */
  presses: number;
  /** Controls that never got focus (and were still on the page at the end), described. */
  missed: string[];
}

/**
 * Presses Tab until every visible, enabled control (link, button, input, select, textarea,
 * summary, `[tabindex]` >= 0, SVG links too) has had focus at least once, or `maxRounds` times the
 * number of controls (a date input takes one press per field). Controls that leave the page during
 * the walk (a strip's oldest cell as live runs arrive) are not counted; ones that come are not
 * required. Focus is recorded with a `focusin` listener.
 */
export async function keyboardWalk(page: Page, maxRounds = 3): Promise<KeyboardWalk> {
  const controls = await page.evaluate(() => {
    const globals = globalThis as unknown as PageGlobals;
    const { document } = globals;
    const isControl = (el: DomElement): boolean => {
      const tabindex = el.getAttribute('tabindex');
      if (tabindex !== null && Number(tabindex) < 0) return false;
      if (el.disabled === true) return false;
      if (el.closest('[inert]')) return false;
      return el.checkVisibility({ visibilityProperty: true });
    };
    const selector = 'a[href], button, input, select, textarea, summary, [tabindex]';
    const focused = new Set<unknown>();
    document.addEventListener('focusin', (event) => focused.add(event.target), true);
    const state: KeyboardWalkState = {
      controls: Array.from(document.querySelectorAll(selector)).filter(isControl),
      remaining: () => state.controls.filter((el) => el.isConnected && isControl(el) && !focused.has(el)),
    };
    globals.__keyboardWalk = state;
    document.activeElement?.blur?.();
    return state.controls.length;
  });
  const remaining = () =>
    page.evaluate(() => (globalThis as unknown as PageGlobals).__keyboardWalk!.remaining().length);
  let presses = 0;
  const cap = Math.max(10, controls * maxRounds);
  while (presses < cap) {
    for (let i = 0; i < 10; i++) await page.keyboard.press('Tab');
    presses += 10;
    if ((await remaining()) === 0) break;
  }
  const missed = await page.evaluate(() =>
    (globalThis as unknown as PageGlobals).__keyboardWalk!.remaining().map((el) => {
      const name = el.getAttribute('aria-label') ?? el.textContent ?? '';
      const href = el.getAttribute('href');
      return `<${el.tagName.toLowerCase()}${href ? ` href="${href}"` : ''}> "${name.trim().slice(0, 80)}"`;
    }),
  );
  return { controls, presses, missed };
}

/** Saves a full-page screenshot as `<ARTIFACTS_DIR>/<name>.png` and returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name}.png`);
  // From the top, then back where the page was: a sticky header scrolled down would be drawn over
  // the middle of a full-page picture.
  type Scroller = { scrollY: number; scrollTo(x: number, y: number): void };
  const scrollY = await page.evaluate(() => {
    const scroller = globalThis as unknown as Scroller;
    const y = scroller.scrollY;
    scroller.scrollTo(0, 0);
    return y;
  });
  await page.screenshot({ path, fullPage: true });
  if (scrollY > 0) await page.evaluate((y) => (globalThis as unknown as Scroller).scrollTo(0, y), scrollY);
  return path;
}
