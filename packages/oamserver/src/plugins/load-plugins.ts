import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import type { AlertChannelPlugin, HoptracePlugin, TriggerPlugin } from './types';

/** A kind names a trigger under `trigger:` (or an alert channel): a YAML key people type. */
export const PLUGIN_KIND_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

const standardSchema = z.custom<TriggerPlugin['options']>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { '~standard'?: { validate?: unknown } })['~standard']?.validate === 'function',
  'must be a Standard Schema (a zod, valibot or arktype schema, for example)',
);
const fn = z.custom<(...args: never[]) => unknown>((value) => typeof value === 'function', 'must be a function');

const kind = z.string().regex(PLUGIN_KIND_PATTERN, 'must be 1-64 letters, digits, _ or -, starting with a letter');

/** What a module must export to be a trigger plugin (see types.ts); checked when it is loaded. */
const triggerPluginShape = z.object({
  type: z.literal('trigger'),
  kind,
  description: z.string().optional(),
  options: standardSchema,
  captures: z.union([z.array(z.string()), fn]).optional(),
  open: fn.optional(),
  fire: fn,
  close: fn.optional(),
});

/** What a module must export to be an alert-channel plugin (see types.ts). */
const alertChannelPluginShape = z.object({
  type: z.literal('alert-channel'),
  kind,
  description: z.string().optional(),
  options: standardSchema,
  requiredEnv: fn.optional(),
  open: fn.optional(),
  send: fn,
  close: fn.optional(),
});

/** The shape each plugin type must have, by `type`. */
const PLUGIN_SHAPES = {
  trigger: triggerPluginShape,
  'alert-channel': alertChannelPluginShape,
} as const;

type PluginType = keyof typeof PLUGIN_SHAPES;

/** A plugin, as loaded: where it came from and what it is. */
export interface LoadedPlugin {
  /** As written in the config (`./plugins/sip-call.mjs`, `@acme/hoptrace-trigger`). */
  spec: string;
  /** The file it was loaded from. */
  file: string;
  /** A trigger or an alert channel: tell them apart by `plugin.type`. */
  plugin: HoptracePlugin;
}

/** The trigger plugins among loaded plugins. */
export function triggerPluginsOf(loaded: readonly LoadedPlugin[]): TriggerPlugin[] {
  return loaded.flatMap(({ plugin }) => (plugin.type === 'trigger' ? [plugin] : []));
}

/** The alert-channel plugins among loaded plugins. */
export function alertChannelPluginsOf(loaded: readonly LoadedPlugin[]): AlertChannelPlugin[] {
  return loaded.flatMap(({ plugin }) => (plugin.type === 'alert-channel' ? [plugin] : []));
}

/** Why a plugin could not be loaded, in one line for the config error. */
export class PluginLoadError extends Error {
  override name = 'PluginLoadError';
}

/** A path (`./x.mjs`, `/opt/x.js`) is read relative to the config; anything else is a package name. */
function resolveSpec(spec: string, baseDir: string): string {
  if (spec.startsWith('.') || isAbsolute(spec)) return resolve(baseDir, spec);
  const fromConfig = createRequire(join(baseDir, 'hoptrace-config.js'));
  try {
    return fromConfig.resolve(spec);
  } catch {
    try {
      // A package installed next to the Oamserver (globally, with it).
      return require.resolve(spec);
    } catch {
      throw new PluginLoadError(`no module "${spec}" found from ${baseDir} (is the package installed?)`);
    }
  }
}

/** The plugin object of a loaded module: its default export, or its `plugin` export. */
function pluginOf(module: Record<string, unknown>): unknown {
  let candidate = module.default ?? module.plugin;
  // A CommonJS module compiled from TypeScript: `exports.default = plugin`.
  if (candidate && typeof candidate === 'object' && 'default' in candidate && !('type' in candidate)) {
    candidate = candidate.default;
  }
  return candidate;
}

function describeShape(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'the export'} ${issue.message}`)
    .join('; ');
}

/**
 * Loads one plugin module (ESM or CommonJS) and checks that it exports a plugin. Throws a
 * PluginLoadError saying why not: not found, the module threw while loading, or its export is
 * not a plugin (and what is missing).
 */
export async function loadPlugin(spec: string, baseDir: string): Promise<LoadedPlugin> {
  const file = resolveSpec(spec, baseDir);
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && (error as Error).message.includes(file)) {
      throw new PluginLoadError(`file not found: ${file}`);
    }
    throw new PluginLoadError(`loading ${file} failed: ${(error as Error).message.split('\n')[0]}`);
  }
  const candidate = pluginOf(module);
  const type = (candidate as { type?: unknown } | null | undefined)?.type;
  if (typeof type !== 'string' || !Object.hasOwn(PLUGIN_SHAPES, type)) {
    const found =
      candidate === undefined
        ? 'it has no default (or `plugin`) export'
        : type === undefined
          ? 'its export has no type'
          : `its type is ${JSON.stringify(type)}`;
    throw new PluginLoadError(
      `${file} does not export a plugin (docs/plugins.md): ${found}; the export's type must be "trigger" or "alert-channel"`,
    );
  }
  const shape = PLUGIN_SHAPES[type as PluginType].safeParse(candidate);
  if (!shape.success) {
    throw new PluginLoadError(
      `${file} does not export ${type === 'trigger' ? 'a trigger' : 'an alert-channel'} plugin (docs/plugins.md): ${describeShape(shape.error)}`,
    );
  }
  // The checked object is the module's own (not the parsed copy): its functions keep their `this`.
  return { spec, file, plugin: candidate as HoptracePlugin };
}
