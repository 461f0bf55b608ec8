import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, isNode, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from '@hoptrace/core';
import { BUILTIN_ALERT_CHANNEL_OPTIONS } from '../alerts/channels/builtin-channels';
import { loadPlugin, type LoadedPlugin } from '../plugins/load-plugins';
import type { StandardSchemaV1 } from '../plugins/types';
import { BUILTIN_TRIGGER_SPECS, type TriggerSpec } from '../triggers/builtin-triggers';
import { crossCheckProbeConfig } from './cross-checks';
import { checkJourneys } from './journey-checks';
import { createProbeConfigSchema, type ProbeConfig, type ProbeDefinition } from './probe-config-schema';

type Path = readonly PropertyKey[];

/** Most alias expansions a config may make (yaml's default, said here): more is refused, not expanded. */
const MAX_ALIAS_COUNT = 100;

/** 1-based line of the YAML node at `path`, or of its nearest existing parent. */
function lineOf(doc: Document, lines: LineCounter, path: Path): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth) as unknown[], true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

function issuesOf(error: z.ZodError, doc: Document, lines: LineCounter): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const issue of error.issues) {
    // An unknown key is reported on its object; point at the key itself, where the typo is.
    const paths: Path[] =
      issue.code === 'unrecognized_keys' ? issue.keys.map((key) => [...issue.path, key]) : [issue.path];
    for (const path of paths) {
      issues.push({
        // An empty key (`"": 1`, or a line that is only `:`) is named, not left as an empty path.
        path: path.length > 0 ? path.map((p) => (p === '' ? '""' : String(p))).join('.') : '(root)',
        message: issue.code === 'unrecognized_keys' ? 'unknown key (check its spelling)' : issue.message,
        line: lineOf(doc, lines, path),
      });
    }
  }
  return issues;
}

/** Where a config came from: named in errors, and the folder its plugin paths are read from. */
export interface ProbeConfigSource {
  /** Named in errors. Default `probe config`. */
  source?: string;
  /** Folder that plugin paths (`./plugins/x.mjs`) are relative to. Default: the working directory. */
  baseDir?: string;
}

function pathOf(dotted: string): (string | number)[] {
  return dotted.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

/** Loads the plugins a config names; one that cannot be loaded is a problem at its place in `plugins`. */
async function loadConfigPlugins(raw: unknown, baseDir: string) {
  const specs = (raw as { plugins?: unknown } | null)?.plugins;
  const loaded: LoadedPlugin[] = [];
  const issues: Omit<ConfigIssue, 'line'>[] = [];
  const failed: string[] = [];
  if (!Array.isArray(specs)) return { loaded, issues, failed };
  // Trigger kinds and alert-channel kinds are apart: `http` may name both a trigger and a channel.
  const kindOwners = {
    trigger: new Map<string, string>([...BUILTIN_TRIGGER_SPECS.keys()].map((kind) => [kind, 'built in'])),
    'alert-channel': new Map<string, string>(
      Object.keys(BUILTIN_ALERT_CHANNEL_OPTIONS).map((kind) => [kind, 'built in']),
    ),
  };
  for (const [index, spec] of specs.entries()) {
    if (typeof spec !== 'string' || spec.length === 0) continue; // the schema reports it
    try {
      const plugin = await loadPlugin(spec, baseDir);
      const kindOwner = kindOwners[plugin.plugin.type];
      const owner = kindOwner.get(plugin.plugin.kind);
      if (owner) {
        const what = plugin.plugin.type === 'trigger' ? 'trigger' : 'alert channel';
        issues.push({
          path: `plugins.${index}`,
          message: `${spec} declares the ${what} kind "${plugin.plugin.kind}", which is already ${owner === 'built in' ? 'built in' : `declared by ${owner}`}`,
        });
        continue;
      }
      kindOwner.set(plugin.plugin.kind, spec);
      loaded.push(plugin);
    } catch (error) {
      failed.push(spec);
      issues.push({ path: `plugins.${index}`, message: `cannot load plugin ${spec}: ${(error as Error).message}` });
    }
  }
  return { loaded, issues, failed };
}

/** Each probe of a config that did not parse as a whole, checked on its own (undefined: it has problems of its own). */
async function probesThatParse(
  raw: unknown,
  probeSchema: ReturnType<typeof createProbeConfigSchema>['shape']['probes']['element'],
): Promise<(ProbeDefinition | undefined)[]> {
  const probes = (raw as { probes?: unknown } | null)?.probes;
  if (!Array.isArray(probes)) return [];
  return Promise.all(
    probes.map(async (probe: unknown) => {
      const checked = await probeSchema.safeParseAsync(probe);
      return checked.success ? checked.data : undefined;
    }),
  );
}

/**
 * Parses and checks a probe config written in YAML, and loads the plugins it names. On any
 * problem throws a ConfigError that lists every problem at once, each with its path (e.g.
 * `probes.0.every`, `probes.2.trigger.sip-call.target`) and line.
 */
export async function parseProbeConfig(text: string, where: ProbeConfigSource | string = {}): Promise<ProbeConfig> {
  const { source = 'probe config', baseDir = process.cwd() } = typeof where === 'string' ? { source: where } : where;
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => ({
        path: '(yaml)',
        message: e.message.split('\n')[0]!,
        line: lines.linePos(e.pos[0]).line,
      })),
      source,
    );
  }
  let raw: unknown;
  try {
    // toJS throws (a ReferenceError) for an alias with no anchor before it, and for aliases that
    // expand past maxAliasCount (a "billion laughs" bomb): a problem of the file, said as one.
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    throw new ConfigError([{ path: '(yaml)', message: (error as Error).message.split('\n')[0]! }], source);
  }
  const plugins = await loadConfigPlugins(raw, baseDir);
  // Every trigger kind the config may use: the built-in ones and its plugins'.
  const triggers = new Map<string, TriggerSpec>(BUILTIN_TRIGGER_SPECS);
  for (const { plugin } of plugins.loaded) if (plugin.type === 'trigger') triggers.set(plugin.kind, plugin);
  const kinds = new Map([...triggers].map(([kind, spec]) => [kind, spec.options]));
  const hint = plugins.failed.length > 0 ? `; plugins that could not be loaded: ${plugins.failed.join(', ')}` : '';
  // Alert-channel kinds of the plugins (the built-in chat and email are the alerts schema's own).
  const channelKinds = new Map<string, StandardSchemaV1>();
  for (const { plugin } of plugins.loaded)
    if (plugin.type === 'alert-channel') channelKinds.set(plugin.kind, plugin.options);
  const schema = createProbeConfigSchema(kinds, hint, channelKinds);
  const parsed = await schema.safeParseAsync(raw);
  // The journeys' own checks (captured values, step names) run on every probe that parses, so
  // that they are reported together with the other problems of the file.
  const probes = parsed.success ? parsed.data.probes : await probesThatParse(raw, schema.shape.probes.element);
  const withLines = (issue: Omit<ConfigIssue, 'line'>): ConfigIssue => ({
    ...issue,
    line: lineOf(doc, lines, pathOf(issue.path)),
  });
  const laterIssues = [
    ...plugins.issues,
    ...crossCheckProbeConfig(raw),
    ...checkJourneys(probes, (kind) => triggers.get(kind)),
  ].map(withLines);
  if (!parsed.success || laterIssues.length > 0) {
    const issues = [...(parsed.success ? [] : issuesOf(parsed.error, doc, lines)), ...laterIssues];
    throw new ConfigError(
      issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)),
      source,
    );
  }
  return Object.freeze({ ...parsed.data, plugins: plugins.loaded });
}

/** Reads a probe config file; see parseProbeConfig. Plugin paths are relative to the file. */
export async function loadProbeConfig(file: string): Promise<ProbeConfig> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw new ConfigError([{ path: '(file)', message: `cannot read ${file}: ${reason}` }], file);
  }
  return parseProbeConfig(text, { source: file, baseDir: dirname(resolve(file)) });
}
