import type { Verdict } from '../classifier/types';

/** The kinds of fault an incident can be about (every verdict that blames a place). */
export type IncidentKind = Exclude<Verdict, 'ok' | 'unknown'>;

/** Where an incident is: a probe, a service of its path, and one instance of it (or all of them). */
export interface IncidentPlace {
  probe: string;
  service: string;
  /** The instance at fault; undefined when the service as a whole is (all instances, or unknown which). */
  instance?: string;
  kind: IncidentKind;
}

/** A fault that held across runs at one place. */
export interface Incident extends IncidentPlace {
  /** Stable id: the place and when it opened. */
  id: string;
  state: 'open' | 'resolved';
  /** When the first faulty run of this incident was fired (epoch ms). */
  startedAtMs: number;
  /** When the incident was opened (epoch ms). */
  openedAtMs: number;
  /** When the last faulty run was seen (epoch ms). */
  lastSeenAtMs: number;
  resolvedAtMs?: number;
  /** Faulty runs counted in this incident. */
  runsAffected: number;
  /** Worst and typical (median) hop or run latency among the faulty runs, when they had one. */
  worstMs?: number;
  typicalMs?: number;
  /** A few run ids of faulty runs (the first and the latest ones), to look at. */
  exampleRuns: string[];
  /** The latest reason given by the classifier. */
  reason: string;
  /** Instances seen failing in this incident's runs. */
  instancesFailing?: string[];
  /** Resolved because a service-wide incident of the same kind took it over: that incident's id. */
  mergedInto?: string;
}

/** What happened to an incident, for alerts. */
export interface IncidentEvent {
  type: 'incident.opened' | 'incident.resolved';
  /** Epoch ms of the event. */
  atMs: number;
  incident: Incident;
}
