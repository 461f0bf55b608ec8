import type { HopRecord } from '@hoptrace/core';
import { linkHops } from '../classifier/order-hops';

/** What answers at an address: a service, and its instance when only one ever did. */
export interface PeerIdentity {
  service: string;
  /** Undefined when several instances answered there (a load balancer, a Kubernetes Service). */
  instance: string | undefined;
}

interface PeerEntry {
  service: string;
  instances: Set<string>;
}

/** Beyond this many instances seen at one address, stop counting: it is shared anyway. */
const MAX_INSTANCES_PER_PEER = 8;

/**
 * Learns which service instance answers at which address (`host:port`), from linked hops: a
 * hop's parent exit says where its caller sent the call. When a later call to that address
 * leaves no hop, the Oamserver can name the instance that failed to answer. An address where
 * several instances answered (behind a load balancer) names the service only. Bounded (LRU).
 */
export class PeerDirectory {
  private readonly _byPeer = new Map<string, PeerEntry>();

  constructor(private readonly _maxEntries = 10_000) {}

  /** Learns from the hops of one run. */
  learn(hops: readonly HopRecord[]): void {
    for (const link of linkHops(hops)) {
      if (!link.parent) continue;
      const exit = link.parent.exits?.find((e) => e.spanId === link.hop.parentSpanId);
      if (!exit?.peer) continue;
      const known = this._byPeer.get(exit.peer);
      const entry: PeerEntry =
        known && known.service === link.hop.service ? known : { service: link.hop.service, instances: new Set() };
      if (entry.instances.size < MAX_INSTANCES_PER_PEER) entry.instances.add(link.hop.instance);
      this._byPeer.delete(exit.peer);
      this._byPeer.set(exit.peer, entry);
      if (this._byPeer.size > this._maxEntries) this._byPeer.delete(this._byPeer.keys().next().value as string);
    }
  }

  /** Who answers at `peer`, if known; the instance only when one instance ever answered there. */
  lookup(peer: string): PeerIdentity | undefined {
    const entry = this._byPeer.get(peer);
    if (!entry) return undefined;
    return { service: entry.service, instance: entry.instances.size === 1 ? [...entry.instances][0] : undefined };
  }

  get size(): number {
    return this._byPeer.size;
  }
}
