import { Counter, Gauge, type Registry } from 'prom-client';
import type { DeliveryCount } from '../alerts/types';
import type { IncidentPlace } from '../incidents/types';

/** Where the numbers come from; both are read at each scrape. */
export interface IncidentAndAlertSources {
  /** The incidents open now (the incident tracker provides it). */
  openIncidents?: () => readonly Pick<IncidentPlace, 'probe' | 'service' | 'kind'>[];
  /** Cumulative alert delivery counts (AlertDispatcher.deliveryCounts). */
  alertDeliveries?: () => readonly DeliveryCount[];
}

/**
 * Registers hoptrace_open_incidents and hoptrace_alert_deliveries_total. Both mirror state kept
 * elsewhere, so they are filled in at scrape time; a source that throws leaves the last values.
 */
export function registerIncidentAndAlertMetrics(registry: Registry, sources: IncidentAndAlertSources): void {
  // Every place ever open keeps its series (at 0 once resolved) so graphs drop to zero rather
  // than stop; places are probe × service × kind, bounded by the config.
  const placesSeen = new Map<string, { probe: string; service: string; kind: string }>();
  const openIncidents: Gauge<'probe' | 'service' | 'kind'> = new Gauge({
    name: 'hoptrace_open_incidents',
    help: 'Incidents open now, by probe, service and kind (one per instance at fault, or one for the whole service).',
    labelNames: ['probe', 'service', 'kind'],
    registers: [registry],
    collect: () => {
      if (!sources.openIncidents) return;
      try {
        const open = new Map<string, number>();
        for (const { probe, service, kind } of sources.openIncidents()) {
          const key = JSON.stringify([probe, service, kind]);
          placesSeen.set(key, { probe, service, kind });
          open.set(key, (open.get(key) ?? 0) + 1);
        }
        for (const [key, labels] of placesSeen) openIncidents.set(labels, open.get(key) ?? 0);
      } catch {
        // Keep the last values: a scrape must not fail because the tracker did.
      }
    },
  });
  const deliveries: Counter<'channel' | 'outcome'> = new Counter({
    name: 'hoptrace_alert_deliveries_total',
    help: 'Incident events handed to alert channels, by channel and outcome (delivered, failed, dropped; retried counts extra attempts).',
    labelNames: ['channel', 'outcome'],
    registers: [registry],
    collect: () => {
      if (!sources.alertDeliveries) return;
      try {
        const counts = sources.alertDeliveries();
        deliveries.reset();
        for (const { channel, outcome, count } of counts) deliveries.inc({ channel, outcome }, count);
      } catch {
        // Keep the last values.
      }
    },
  });
}
