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
  /** The instance that answered last. */
  last: string;
  /** Instances seen answering here (bounded). */
  seen: Set<string>;
  /** An earlier instance answered again after another: several instances share the address. */
  shared: boolean;
  /** How many times in a row `last` answered (a long run means the address is no longer shared). */
  streak: number;
}

/** Instances remembered per address. */
const MAX_INSTANCES_PER_PEER = 8;
/** The same instance answering this many times in a row makes a shared address single again. */
const UNSHARE_AFTER = 10;

/**
 * Learns which service instance answers at which address (`host:port`), from linked hops: a
 * hop's parent exit says where its caller sent the call. When a later call to that address
 * leaves no hop, the Oamserver can name the instance that failed to answer. An address where
 * several instances take turns (behind a load balancer) names the service only; one instance
 * replacing another (a restart) moves the name. Bounded (LRU).
 */
export class PeerDirectory {
  private readonly _byPeer = new Map<string, PeerEntry>();
  /** callee service -> caller service -> times seen: who usually calls whom. */
  private readonly _callers = new Map<string, Map<string, number>>();

  constructor(private readonly _maxEntries = 10_000) {}

  /** Learns from the hops of one run. */
  learn(hops: readonly HopRecord[]): void {
    for (const link of linkHops(hops)) {
      if (!link.parent) continue;
      this._noteCall(link.parent.service, link.hop.service);
      const exit = link.parent.exits?.find((e) => e.spanId === link.hop.parentSpanId);
      if (!exit?.peer) continue;
      this._note(exit.peer, link.hop.service, link.hop.instance);
    }
  }

  /** The service that usually calls `service` (learned from linked hops), if any. */
  usualCaller(service: string): string | undefined {
    const callers = this._callers.get(service);
    if (!callers) return undefined;
    return [...callers.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  }

  private _noteCall(caller: string, callee: string): void {
    if (caller === callee) return;
    let callers = this._callers.get(callee);
    if (!callers) {
      if (this._callers.size >= this._maxEntries) return;
      callers = new Map();
      this._callers.set(callee, callers);
    }
    if (!callers.has(caller) && callers.size >= MAX_INSTANCES_PER_PEER) return;
    callers.set(caller, Math.min((callers.get(caller) ?? 0) + 1, 1_000_000));
  }

  private _note(peer: string, service: string, instance: string): void {
    const known = this._byPeer.get(peer);
    let entry: PeerEntry;
    if (!known || known.service !== service) {
      entry = { service, last: instance, seen: new Set([instance]), shared: false, streak: 1 };
    } else {
      entry = known;
      if (instance === entry.last) {
        entry.streak++;
        if (entry.streak >= UNSHARE_AFTER) entry.shared = false;
      } else {
        // Back to an instance seen before: the address is shared (load-balanced). A new one
        // that replaces the old (a redeploy, a restart with a new id) is not.
        if (entry.seen.has(instance)) entry.shared = true;
        if (entry.seen.size >= MAX_INSTANCES_PER_PEER) entry.seen.clear();
        entry.seen.add(instance);
        entry.last = instance;
        entry.streak = 1;
      }
    }
    this._byPeer.delete(peer);
    this._byPeer.set(peer, entry);
    if (this._byPeer.size > this._maxEntries) this._byPeer.delete(this._byPeer.keys().next().value as string);
  }

  /** Who answers at `peer`, if known; the instance unless several instances take turns there. */
  lookup(peer: string): PeerIdentity | undefined {
    const entry = this._byPeer.get(peer);
    if (!entry) return undefined;
    return { service: entry.service, instance: entry.shared ? undefined : entry.last };
  }

  get size(): number {
    return this._byPeer.size;
  }
}
