import type { ConfigIssue } from '@hoptrace/core';
import { crossCheckAlerts } from './alerts-schema';

type Raw = Record<string, unknown>;

function isObject(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The service names in a path as written (not yet checked): plain names, `{ service }` steps and
 * the members of `{ anyOrder: [...] }` groups, in order. Malformed steps are the schema's to report.
 */
function rawPathServices(steps: unknown[]): string[] {
  const serviceOf = (step: unknown): string[] =>
    typeof step === 'string' ? [step] : isObject(step) && typeof step.service === 'string' ? [step.service] : [];
  return steps.flatMap((step) =>
    isObject(step) && Array.isArray(step.anyOrder) ? step.anyOrder.flatMap(serviceOf) : serviceOf(step),
  );
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
    // A probe of one step, or each step of a journey: a budgeted hop must be in that path.
    const legs: { at: string; of: Raw; what: string }[] = Array.isArray(probe.steps)
      ? probe.steps.flatMap((step: unknown, s) =>
          isObject(step) ? [{ at: `probes.${index}.steps.${s}`, of: step, what: "this step's path" }] : [],
        )
      : [{ at: `probes.${index}`, of: probe, what: "this probe's path" }];
    for (const { at, of, what } of legs) {
      const path = Array.isArray(of.path) ? rawPathServices(of.path) : undefined;
      const hops = isObject(of.budget) && isObject(of.budget.hops) ? of.budget.hops : undefined;
      if (!path || !hops) continue;
      for (const service of Object.keys(hops)) {
        if (!path.includes(service)) {
          issues.push({
            path: `${at}.budget.hops.${service}`,
            message: `"${service}" is not in ${what} (${path.join(', ')})`,
          });
        }
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
    (raw.probes as unknown[]).flatMap((probe): unknown[] => {
      if (!isObject(probe)) return [];
      const paths = Array.isArray(probe.steps)
        ? probe.steps.map((step: unknown) => (isObject(step) ? step.path : undefined))
        : [probe.path];
      return paths.flatMap((path) => (Array.isArray(path) ? rawPathServices(path) : []));
    }),
  );
  return labels.flatMap((service, index) =>
    typeof service === 'string' && !inSomePath.has(service)
      ? [{ path: `metrics.instanceLabels.${index}`, message: `"${service}" is in no probe's path` }]
      : [],
  );
}
