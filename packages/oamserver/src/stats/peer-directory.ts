import type { HopRecord } from '@hoptrace/core';
import { linkHops } from '../classifier/order-hops';

/** A service instance found answering at an address. */
export interface PeerIdentity {
  service: string;
  instance: string;
}

/**
 * Learns which service instance answers at which address (`host:port`), from linked hops: a
 * hop's parent exit says where its caller sent the call. When a later call to that address
 * leaves no hop, the Oamserver can name the instance that failed to answer. Bounded (LRU).
 */
export class PeerDirectory {
  private readonly _byPeer = new Map<string, PeerIdentity>();

  constructor(private readonly _maxEntries = 10_000) {}

  /** Learns from the hops of one run. */
  learn(hops: readonly HopRecord[]): void {
    for (const link of linkHops(hops)) {
      if (!link.parent) continue;
      const exit = link.parent.exits?.find((e) => e.spanId === link.hop.parentSpanId);
      if (!exit?.peer) continue;
      this._byPeer.delete(exit.peer);
      this._byPeer.set(exit.peer, { service: link.hop.service, instance: link.hop.instance });
      if (this._byPeer.size > this._maxEntries) this._byPeer.delete(this._byPeer.keys().next().value as string);
    }
  }

  /** Who answered at `peer` last time, if known. */
  lookup(peer: string): PeerIdentity | undefined {
    return this._byPeer.get(peer);
  }

  get size(): number {
    return this._byPeer.size;
  }
}
