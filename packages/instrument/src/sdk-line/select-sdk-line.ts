import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { atLeast, resolvedPackage } from './package-version';
import type { SdkLine } from './sdk-line';
import { loadSdk2 } from './sdk2';
import { loadSdk3 } from './sdk3';

/** Why the line was chosen, for the start-up message. */
export interface SdkChoice {
  sdk: SdkLine;
  /** Set when the service has the 3.x line but it could not be used. */
  problem?: string;
}

/**
 * Requires as the service's own code would: from its entry script, else from the working
 * directory. The 3.x SDK is looked for there, not beside the drop-in.
 */
function serviceRequires(): NodeJS.Require[] {
  const anchors = [process.argv[1], resolve(process.cwd(), 'package.json')].filter(
    (file): file is string => typeof file === 'string' && file !== '',
  );
  return anchors.map((file) => createRequire(resolve(file)));
}

/**
 * The OpenTelemetry trace SDK line to build tracing with. The `@opentelemetry/api` in use (the
 * service's: it is the drop-in's peer) decides: with api 1.10 or later and the 3.x SDK
 * (`@opentelemetry/sdk-trace`) installed by the service, its 3.x SDK; otherwise the drop-in's own
 * 2.x SDK. Never throws: a 3.x SDK that fails to load leaves the 2.x one, with the reason.
 */
export function selectSdkLine(): SdkChoice {
  const api = resolvedPackage(require, '@opentelemetry/api');
  if (!api || !atLeast(api.version, 1, 10)) return { sdk: loadSdk2() };
  for (const req of serviceRequires()) {
    const sdkTrace = resolvedPackage(req, '@opentelemetry/sdk-trace');
    if (!sdkTrace) continue;
    if (!atLeast(sdkTrace.version, 3, 0)) continue;
    try {
      return { sdk: loadSdk3(req, sdkTrace) };
    } catch (error) {
      const sdk = loadSdk2();
      const reason = error instanceof Error ? error.message : String(error);
      return {
        sdk,
        problem: `@opentelemetry/sdk-trace ${sdkTrace.version} could not be loaded (${reason}); using the drop-in's own SDK ${sdk.version}`,
      };
    }
  }
  return { sdk: loadSdk2() };
}

let chosen: SdkChoice | undefined;

/** The line chosen for this process (chosen once, at first use). */
export function sdkChoice(): SdkChoice {
  chosen ??= selectSdkLine();
  return chosen;
}

/** The SDK line in use in this process. */
export function currentSdk(): SdkLine {
  return sdkChoice().sdk;
}
