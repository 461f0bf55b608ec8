import type { HopRecord } from '@hoptrace/core';
import { linkHops } from '../classifier/order-hops';

/** What answers at an address: a service, and its instance when only one ever did. */
export interface PeerIdentity {
  service: string;
  /** Undefined when several instances answered there (a load balancer, a Kubernetes Service). */
  instance: string | undefined;
}

/** What the directory knows of one address, as kept in memory and, as JSON, in Redis. */
export interface PeerEntry {
  service: string;
  /** The instance that answered last. */
  last: string;
  /** Instances seen answering here (bounded). */
  seen: string[];
  /** An earlier instance answered again after another: several instances share the address. */
  shared: boolean;
  /** How many times in a row `last` answered (a long run means the address is no longer shared). */
  streak: number;
}

/** What one run taught: the addresses and callees whose entries changed. */
export interface PeerLearning {
  peers: string[];
  callees: string[];
}

/** Instances remembered per address, and callers per service. */
export const MAX_INSTANCES_PER_PEER = 8;
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

  /** Learns from the hops of one run; says which entries changed. */
  learn(hops: readonly HopRecord[]): PeerLearning {
    const learned: PeerLearning = { peers: [], callees: [] };
    for (const link of linkHops(hops)) {
      if (!link.parent) continue;
      if (this._noteCall(link.parent.service, link.hop.service)) learned.callees.push(link.hop.service);
      const exit = link.parent.exits?.find((e) => e.spanId === link.hop.parentSpanId);
      if (!exit?.peer) continue;
      this._note(exit.peer, link.hop.service, link.hop.instance);
      learned.peers.push(exit.peer);
    }
    return { peers: [...new Set(learned.peers)], callees: [...new Set(learned.callees)] };
  }

  /** The entry of an address (a copy), to store it elsewhere. */
  entry(peer: string): PeerEntry | undefined {
    const entry = this._byPeer.get(peer);
    return entry ? { ...entry, seen: [...entry.seen] } : undefined;
  }

  /** Replaces what is known of an address (with what another Oamserver learned). */
  setEntry(peer: string, entry: PeerEntry): void {
    this._byPeer.delete(peer);
    this._byPeer.set(peer, { ...entry, seen: entry.seen.slice(-MAX_INSTANCES_PER_PEER) });
    if (this._byPeer.size > this._maxEntries) this._byPeer.delete(this._byPeer.keys().next().value as string);
  }

  /** The callers of a service with their counts (a copy). */
  callers(service: string): Record<string, number> | undefined {
    const callers = this._callers.get(service);
    return callers ? Object.fromEntries(callers) : undefined;
  }

  /** Replaces the callers of a service (with what another Oamserver learned). */
  setCallers(service: string, callers: Record<string, number>): void {
    if (!this._callers.has(service) && this._callers.size >= this._maxEntries) return;
    const entries = Object.entries(callers)
      .sort((a, b) => b[1] - a[1])
      .slice(0, MAX_INSTANCES_PER_PEER);
    this._callers.set(service, new Map(entries));
  }

  /** The service that usually calls `service` (learned from linked hops), if any. */
  usualCaller(service: string): string | undefined {
    const callers = this._callers.get(service);
    if (!callers) return undefined;
    return [...callers.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  }

  /** Counts one call; false when nothing changed (a self-call, or a bound reached). */
  private _noteCall(caller: string, callee: string): boolean {
    if (caller === callee) return false;
    let callers = this._callers.get(callee);
    if (!callers) {
      if (this._callers.size >= this._maxEntries) return false;
      callers = new Map();
      this._callers.set(callee, callers);
    }
    if (!callers.has(caller) && callers.size >= MAX_INSTANCES_PER_PEER) return false;
    callers.set(caller, Math.min((callers.get(caller) ?? 0) + 1, 1_000_000));
    return true;
  }

  private _note(peer: string, service: string, instance: string): void {
    const known = this._byPeer.get(peer);
    let entry: PeerEntry;
    if (!known || known.service !== service) {
      entry = { service, last: instance, seen: [instance], shared: false, streak: 1 };
    } else {
      entry = known;
      if (instance === entry.last) {
        entry.streak++;
        if (entry.streak >= UNSHARE_AFTER) entry.shared = false;
      } else {
        // Back to an instance seen before: the address is shared (load-balanced). A new one
        // that replaces the old (a redeploy, a restart with a new id) is not.
        if (entry.seen.includes(instance)) entry.shared = true;
        else {
          if (entry.seen.length >= MAX_INSTANCES_PER_PEER) entry.seen = [];
          entry.seen.push(instance);
        }
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
