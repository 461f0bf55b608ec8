import { writeConfig } from './oamserver';

/** One probe of the broker suites: its name, the query it sends the publisher, a hop budget. */
export interface PublisherProbe {
  name: string;
  /** Query string of `GET /work` on the publisher (which queue or subject, `drop=1`). */
  query: string;
  /** Budget of the consumer's hop, when the probe has one (`200ms`). */
  consumerBudget?: string;
}

/**
 * A probe config whose probes all start at the publisher fixture's `GET /work` and expect the path
 * publisher → consumer → tail, under the key prefix `prefix`. Returns the file's path.
 */
export function publisherProbesConfig(prefix: string, publisherUrl: string, probes: PublisherProbe[]): string {
  const entries = probes.map(
    ({ name, query, consumerBudget }) => `
  - name: ${name}
    timeout: 3s
    trigger: { http: { url: "${publisherUrl}/work?${query}" } }
    path: [publisher, consumer, tail]${consumerBudget ? `\n    budget: { hops: { consumer: ${consumerBudget} } }` : ''}`,
  );
  return writeConfig(`
storage: { keyPrefix: "${prefix}" }
probes:${entries.join('')}
`);
}
