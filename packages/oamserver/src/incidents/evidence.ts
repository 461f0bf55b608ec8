import { isFault } from '../classifier/types';
import type { RunResult } from '../store/run-store';
import type { Suspect } from './instance-sightings';
import type { IncidentKind } from './types';

/** What one run says about one place: faulty (with its kind) or healthy. */
export interface PlaceEvidence {
  service: string;
  /** The place's instance; undefined for the service as a whole. */
  placeInstance: string | undefined;
  /** Fault kind; undefined means a healthy visit. */
  kind: IncidentKind | undefined;
  /** The instance the run went through, when known. */
  visitInstance: string | undefined;
  latencyMs?: number;
  /** Instances the faulty streak must include before a service-wide incident opens. */
  minDistinct: number;
  /** The instance was inferred from sightings, not named by the run's hops. */
  inferred?: boolean;
}

/**
 * Default of config `incidents.serviceWideMinInstances`: most instances a service-wide incident
 * waits to see failing before it opens.
 */
export const MAX_INSTANCES_FOR_SERVICE_WIDE = 3;

/**
 * What a classified run says about each place it touched:
 * - the place the verdict blames is faulty, at its instance when the classifier named one (or
 *   when `suspect` can tell which instance it must have been), and for the service as a whole
 *   (which opens only when faults come from every instance seen lately, up to
 *   `serviceWideMinInstances`, or when no instance can be named at all);
 * - every other service the run reached is healthy there, at the instances it went through;
 * - services the run never reached say nothing; `unknown` runs say nothing at all.
 * Service-wide evidence comes first, so that when it opens, instance-level incidents of the same
 * kind can be held back in the same pass. Pure.
 */
export function evidenceOf(
  result: RunResult,
  knownInstances: (service: string) => number,
  suspect: (service: string) => Suspect = () => 'service',
  serviceWideMinInstances = MAX_INSTANCES_FOR_SERVICE_WIDE,
): PlaceEvidence[] {
  if (result.verdict === 'unknown') return [];
  const fault = isFault(result.verdict) ? result.fault : undefined;
  const kind = fault ? (result.verdict as IncidentKind) : undefined;
  const services = new Set([...result.run.path, ...result.hops.map((h) => h.service)]);
  const serviceWide: PlaceEvidence[] = [];
  const perInstance: PlaceEvidence[] = [];
  for (const service of services) {
    if (fault && kind && fault.service === service) {
      const instance = fault.instance;
      const hop = result.hops.find((h) => h.service === service && (instance === undefined || h.instance === instance));
      const latencyMs = kind === 'slow' ? (hop?.durationMs ?? result.facts.totalMs) : undefined;
      const known = knownInstances(service);
      const suspected = instance === undefined ? suspect(service) : undefined;
      if (instance === undefined && suspected === undefined) {
        // No hop named the instance and none stands out: this run says nothing about instances.
      } else if (suspected !== undefined && suspected !== 'service') {
        // No hop named the instance, but the sightings do (see InstanceSightings).
        perInstance.push({
          service,
          placeInstance: suspected.instance,
          kind,
          visitInstance: suspected.instance,
          latencyMs,
          minDistinct: 1,
          inferred: true,
        });
      } else if (instance === undefined) {
        serviceWide.push({
          service,
          placeInstance: undefined,
          kind,
          visitInstance: undefined,
          latencyMs,
          minDistinct: 0,
        });
      } else {
        perInstance.push({
          service,
          placeInstance: instance,
          kind,
          visitInstance: instance,
          latencyMs,
          minDistinct: 1,
        });
        if (known >= 2) {
          serviceWide.push({
            service,
            placeInstance: undefined,
            kind,
            visitInstance: instance,
            latencyMs,
            minDistinct: Math.min(known, serviceWideMinInstances),
          });
        }
      }
      continue;
    }
    const instances = new Set(result.hops.filter((h) => h.service === service).map((h) => h.instance));
    if (instances.size === 0) continue;
    for (const instance of instances) {
      perInstance.push({ service, placeInstance: instance, kind: undefined, visitInstance: instance, minDistinct: 1 });
      serviceWide.push({ service, placeInstance: undefined, kind: undefined, visitInstance: instance, minDistinct: 1 });
    }
  }
  return [...serviceWide, ...perInstance];
}
