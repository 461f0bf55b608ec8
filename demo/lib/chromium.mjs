// How hoptrace's browser tools start Debian's chromium (the browser tests, `pnpm screenshots`, the
// live dashboard bench): one place for the binary and its flags.

/** Debian's chromium package. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Headless, no sandbox (root in a container), no GPU. Without the networking flags chromium keeps
 * trying to reach Google's services and floods a closed network with refused connections;
 * /dev/shm is small in containers.
 */
export const CHROMIUM_ARGS = Object.freeze([
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]);
