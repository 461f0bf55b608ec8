import type { ConfigIssue } from '@hoptrace/core';
import type { TriggerSpec } from '../triggers/builtin-triggers';
import type { ProbeDefinition } from './probe-config-schema';

/** `${name}` in a step's trigger options: a value an earlier step captured. */
export const CAPTURE_REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Every `${name}` in a value, with the path (below the value) of the string it is in. */
export function captureReferences(
  value: unknown,
  path: (string | number)[] = [],
): { name: string; path: (string | number)[] }[] {
  if (typeof value === 'string') return [...value.matchAll(CAPTURE_REFERENCE)].map((m) => ({ name: m[1]!, path }));
  if (Array.isArray(value)) return value.flatMap((item, i) => captureReferences(item, [...path, i]));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => captureReferences(item, [...path, key]));
  }
  return [];
}

/** The names a trigger may capture, as its plugin declares them for these options. */
export function capturesOf(plugin: TriggerSpec | undefined, options: unknown): readonly string[] {
  const declared = plugin?.captures;
  if (!declared) return [];
  try {
    return typeof declared === 'function' ? declared(options) : declared;
  } catch {
    return [];
  }
}

/**
 * Checks of a journey that need its checked steps and plugins: step names are unique, cleanup
 * steps come last, and a step uses only values captured by an earlier step.
 */
export function checkJourneys(
  probes: readonly (ProbeDefinition | undefined)[],
  pluginOf: (kind: string) => TriggerSpec | undefined,
): Omit<ConfigIssue, 'line'>[] {
  const issues: Omit<ConfigIssue, 'line'>[] = [];
  probes.forEach((probe, p) => {
    if (!probe?.journey) return;
    const captured = new Map<string, string>();
    const firstIndexOf = new Map<string, number>();
    let cleanupSeen = false;
    probe.steps.forEach((step, s) => {
      const at = `probes.${p}.steps.${s}`;
      const first = firstIndexOf.get(step.name);
      if (first !== undefined)
        issues.push({ path: `${at}.name`, message: `"${step.name}" is already the name of steps.${first}` });
      else firstIndexOf.set(step.name, s);
      if (step.cleanup) cleanupSeen = true;
      else if (cleanupSeen) {
        issues.push({
          path: `${at}.cleanup`,
          message: 'cleanup steps come after every other step (they run last, whatever happened)',
        });
      }
      for (const ref of captureReferences(step.trigger.options)) {
        if (captured.has(ref.name)) continue;
        const known = [...captured.keys()];
        issues.push({
          path: [at, 'trigger', step.trigger.kind, ...ref.path].join('.'),
          message:
            `uses \${${ref.name}}, which no earlier step captures` +
            (known.length > 0
              ? ` (captured before this step: ${known.join(', ')})`
              : ' (no earlier step captures anything)'),
        });
      }
      for (const name of capturesOf(pluginOf(step.trigger.kind), step.trigger.options)) captured.set(name, step.name);
    });
  });
  return issues;
}
