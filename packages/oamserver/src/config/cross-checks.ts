import type { ConfigIssue } from '@hoptrace/core';
import { crossCheckAlerts } from './alerts-schema';

type Raw = Record<string, unknown>;

function isObject(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks that relate one field to another (a budgeted hop must be in the path; probe names are
 * unique). They run on the raw document, apart from the schema, so that they are reported even
 * when the same probe has other mistakes: the user sees every problem at once.
 */
export function crossCheckProbeConfig(raw: unknown): Omit<ConfigIssue, 'line'>[] {
  const issues: Omit<ConfigIssue, 'line'>[] = [];
  if (!isObject(raw) || !Array.isArray(raw.probes)) return issues;
  const firstIndexOf = new Map<string, number>();
  raw.probes.forEach((probe: unknown, index) => {
    if (!isObject(probe)) return;
    if (typeof probe.name === 'string') {
      const first = firstIndexOf.get(probe.name);
      if (first !== undefined) {
        issues.push({
          path: `probes.${index}.name`,
          message: `"${probe.name}" is already the name of probes.${first}`,
        });
      } else firstIndexOf.set(probe.name, index);
    }
    const path = Array.isArray(probe.path) ? probe.path.filter((s): s is string => typeof s === 'string') : undefined;
    const hops = isObject(probe.budget) && isObject(probe.budget.hops) ? probe.budget.hops : undefined;
    if (!path || !hops) return;
    for (const service of Object.keys(hops)) {
      if (!path.includes(service)) {
        issues.push({
          path: `probes.${index}.budget.hops.${service}`,
          message: `"${service}" is not in this probe's path (${path.join(', ')})`,
        });
      }
    }
  });
  issues.push(...crossCheckAlerts(raw.alerts), ...crossCheckInstanceLabels(raw));
  return issues;
}

/** A service named in metrics.instanceLabels but in no probe's path is a typo: it would never get a series. */
function crossCheckInstanceLabels(raw: Raw): Omit<ConfigIssue, 'line'>[] {
  const labels: unknown[] =
    isObject(raw.metrics) && Array.isArray(raw.metrics.instanceLabels) ? raw.metrics.instanceLabels : [];
  const inSomePath = new Set<unknown>(
    (raw.probes as unknown[]).flatMap((probe): unknown[] =>
      isObject(probe) && Array.isArray(probe.path) ? (probe.path as unknown[]) : [],
    ),
  );
  return labels.flatMap((service, index) =>
    typeof service === 'string' && !inSomePath.has(service)
      ? [{ path: `metrics.instanceLabels.${index}`, message: `"${service}" is in no probe's path` }]
      : [],
  );
}
