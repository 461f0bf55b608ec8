import type { Request, Response } from 'express';
import { API_EVENTS } from '@hoptrace/core/api';
import { sendError } from './api-errors';

/** Options of the event stream. */
export interface EventStreamOptions {
  /** Most clients streaming at once; more get 503 HOPTRACE_API_BUSY. Default 100. */
  maxClients?: number;
  /** Bytes a client may have waiting unread before its events are dropped (then `resync`). Default 1 MiB. */
  maxBufferedBytes?: number;
  /** A comment line this often keeps proxies from closing an idle stream. Default 15 s. */
  heartbeatMs?: number;
}

interface Client {
  res: Response;
  /** Events dropped since the client last caught up. */
  dropped: number;
}

/**
 * GET /api/events: server-sent events to the dashboard. Each event is serialised once for every
 * client. A client that reads too slowly never makes the server buffer without bound: its events
 * are dropped and counted, and once it catches up it gets a `resync` event telling it to refetch.
 */
export class EventStream {
  private readonly _clients = new Set<Client>();
  private readonly _maxClients: number;
  private readonly _maxBufferedBytes: number;
  private readonly _heartbeat: NodeJS.Timeout;
  private _droppedTotal = 0;

  constructor(options: EventStreamOptions = {}) {
    this._maxClients = options.maxClients ?? 100;
    this._maxBufferedBytes = options.maxBufferedBytes ?? 1_048_576;
    this._heartbeat = setInterval(() => this._write(': keep-alive\n\n', false), options.heartbeatMs ?? 15_000);
    this._heartbeat.unref();
  }

  /** Clients streaming now. */
  get clients(): number {
    return this._clients.size;
  }

  /** Events dropped for slow clients since the start. */
  get droppedTotal(): number {
    return this._droppedTotal;
  }

  /** The Express handler of GET /api/events. */
  readonly handle = (req: Request, res: Response): void => {
    if (this._clients.size >= this._maxClients) {
      sendError(res, 503, 'HOPTRACE_API_BUSY', `at most ${this._maxClients} event streams at once`);
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // Tell buffering proxies (nginx) to pass events through as they come.
      'x-accel-buffering': 'no',
    });
    // `retry`: how long the browser's EventSource waits before reconnecting.
    res.write('retry: 3000\n: connected\n\n');
    const client: Client = { res, dropped: 0 };
    this._clients.add(client);
    req.on('close', () => this._clients.delete(client));
  };

  /** Sends an event to every client. */
  publish(event: string, data: unknown): void {
    if (this._clients.size === 0) return;
    this._write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** Ends every stream (before the HTTP server closes: open streams would hold it). */
  close(): void {
    clearInterval(this._heartbeat);
    for (const client of this._clients) client.res.end();
    this._clients.clear();
  }

  /** Writes to every client that keeps up; counts what a lagging client misses when it is an event. */
  private _write(text: string, isEvent = true): void {
    for (const client of this._clients) {
      if (client.res.writableLength > this._maxBufferedBytes) {
        if (isEvent) {
          client.dropped++;
          this._droppedTotal++;
        }
        continue;
      }
      if (client.dropped > 0) {
        const resync = { dropped: client.dropped, reason: 'the client read events too slowly' };
        client.res.write(`event: ${API_EVENTS.resync}\ndata: ${JSON.stringify(resync)}\n\n`);
        client.dropped = 0;
      }
      client.res.write(text);
    }
  }
}
