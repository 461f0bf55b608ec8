import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import {
  FASTIFY_HANDLER_ERROR,
  FASTIFY_HANDLER_START,
  errorOf,
  rawRequestOf,
  routeOf,
} from '../fastify/fastify-handler-channel';
import { probeHopOf, type HopListener } from './probe-hop-state';

/**
 * Probe-only mode's Fastify support, from Fastify 5's own handler channel (nothing patched):
 * the route template (`/mailbox/:box`) and the first error the handler throws or rejects with
 * are kept on the probe's hop (found on Fastify's `request.raw`, where `ServerHops` put it), and
 * `ServerHops` writes them on the hop's span when it ends, as Express's route and `next(err)` are.
 *
 * Subscribed only while a probe hop is in flight: with no subscriber Fastify skips its channel
 * work entirely (`channels.hasSubscribers`), so ordinary traffic costs nothing here outside a
 * probe's lifetime, and within it one property read per request. A hop starts on
 * `http.server.request.start`, before Fastify sees the request, so the subscription is in place
 * before its handler runs.
 */
export class FastifyHops implements HopListener {
  private _inFlight = 0;
  private _stopped = false;

  private readonly _onStart = (message: unknown): void => {
    try {
      const hop = probeHopOf(rawRequestOf(message));
      if (hop === undefined) return; // an ordinary request running next to a probe
      const route = routeOf(message);
      if (route !== undefined) hop.route = route;
    } catch {
      // Never into the host: the hop is named by its method.
    }
  };

  private readonly _onError = (message: unknown): void => {
    try {
      const hop = probeHopOf(rawRequestOf(message));
      if (hop === undefined || hop.error !== undefined) return; // keep the first, as for Express
      hop.error = errorOf(message);
    } catch {
      // Never into the host.
    }
  };

  hopStarted(): void {
    if (this._stopped || this._inFlight++ > 0) return;
    try {
      subscribe(FASTIFY_HANDLER_START, this._onStart);
      subscribe(FASTIFY_HANDLER_ERROR, this._onError);
    } catch {
      // Never into the host: this hop goes without its Fastify route.
    }
  }

  hopEnded(): void {
    if (this._stopped || this._inFlight === 0 || --this._inFlight > 0) return;
    this._unsubscribe();
  }

  /** Unsubscribes for good. Idempotent. */
  stop(): void {
    if (this._stopped) return;
    this._stopped = true;
    if (this._inFlight > 0) this._unsubscribe();
    this._inFlight = 0;
  }

  private _unsubscribe(): void {
    try {
      unsubscribe(FASTIFY_HANDLER_START, this._onStart);
      unsubscribe(FASTIFY_HANDLER_ERROR, this._onError);
    } catch {
      // Nothing to undo.
    }
  }
}
