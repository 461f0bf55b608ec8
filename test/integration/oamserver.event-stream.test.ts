import { createServer, get, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { API_EVENTS, apiErrorSchema, resyncEventSchema } from '@hoptrace/core/api';
import { EventStream, type EventStreamOptions } from '@hoptrace/oamserver';
import { waitFor } from '../support/wait';

// GET /api/events (server-sent events) on a real HTTP server: express, as the Oamserver mounts
// it, listening on port 0, with real HTTP clients. One of them stops reading.

type Handler = EventStream['handle'];
type ExpressApp = RequestListener & { get(path: string, handler: Handler): void };
// express is the Oamserver's dependency, not this package's: load the same copy it uses.
const express = createRequire(new URL('../../packages/oamserver/package.json', import.meta.url))(
  'express',
) as () => ExpressApp;

interface Harness {
  url: string;
  stream: EventStream;
  /** The server side of each stream, by the path the client asked for. */
  responses: Map<string, Parameters<Handler>[1]>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function serve(options: EventStreamOptions): Promise<Harness> {
  // No keep-alive comment during a test: every byte on the wire is an event the test sent.
  const stream = new EventStream({ heartbeatMs: 3_600_000, ...options });
  const responses = new Map<string, Parameters<Handler>[1]>();
  const app = express();
  app.get('/api/events', (req, res) => {
    responses.set(req.url, res);
    stream.handle(req, res);
  });
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    stream.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/events`, stream, responses };
}

interface Client {
  res: IncomingMessage;
  status: number;
  /** Everything received so far. */
  text: () => string;
  /** The events received so far (comments and `retry` left out). */
  events: () => { event: string; data: unknown }[];
  ended: () => boolean;
}

/** Opens a stream; a `paused` client reads nothing until its `res.resume()`. */
function connect(url: string, { paused = false } = {}): Promise<Client> {
  return new Promise((resolve, reject) => {
    const req = get(url, { agent: false }, (res) => {
      let text = '';
      let ended = false;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      // Not reading: the response's buffer fills, then the socket's, then the server's.
      if (paused) res.pause();
      res.on('end', () => (ended = true));
      res.on('error', () => undefined);
      const client: Client = {
        res,
        status: res.statusCode ?? 0,
        text: () => text,
        events: () => parseEvents(text),
        ended: () => ended,
      };
      cleanups.push(async () => {
        res.destroy();
        await Promise.resolve();
      });
      resolve(client);
    });
    req.on('error', reject);
  });
}

function parseEvents(text: string): { event: string; data: unknown }[] {
  const out: { event: string; data: unknown }[] = [];
  // Only complete blocks (a blank line ends each).
  for (const block of text.split('\n\n').slice(0, -1)) {
    const lines = block.split('\n');
    const event = lines.find((l) => l.startsWith('event: '))?.slice('event: '.length);
    const data = lines.find((l) => l.startsWith('data: '))?.slice('data: '.length);
    if (event !== undefined && data !== undefined) out.push({ event, data: JSON.parse(data) });
  }
  return out;
}

/** Lets the event loop read and write sockets once (not a sleep: no time is waited). */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('EventStream', () => {
  it('sends each event to every client, in order, as server-sent events', async () => {
    const { url, stream } = await serve({});
    const a = await connect(`${url}?c=a`);
    const b = await connect(`${url}?c=b`);
    expect(a.status).toBe(200);
    expect(a.res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(a.res.headers['cache-control']).toBe('no-cache, no-transform');
    await waitFor(() => stream.clients === 2, { what: 'two clients' });

    stream.publish(API_EVENTS.run, { runId: 'r1', verdict: 'ok' });
    stream.publish(API_EVENTS.incident, { type: 'incident.opened', atMs: 1 });
    const expected = [
      { event: 'run', data: { runId: 'r1', verdict: 'ok' } },
      { event: 'incident', data: { type: 'incident.opened', atMs: 1 } },
    ];
    for (const client of [a, b]) {
      await waitFor(() => client.events().length === 2, { what: 'both events' });
      expect(client.events()).toEqual(expected);
      // The browser's EventSource is told how long to wait before it reconnects.
      expect(client.text().startsWith('retry: 3000\n')).toBe(true);
    }
    expect(stream.droppedTotal).toBe(0);
  });

  it('a client that leaves stops being counted, and gets nothing more', async () => {
    const { url, stream } = await serve({});
    const a = await connect(`${url}?c=a`);
    const b = await connect(`${url}?c=b`);
    await waitFor(() => stream.clients === 2, { what: 'two clients' });
    a.res.destroy();
    await waitFor(() => stream.clients === 1, { what: 'the client that left to be forgotten' });
    stream.publish(API_EVENTS.run, { runId: 'r2' });
    await waitFor(() => b.events().length === 1, { what: 'the event' });
    expect(stream.droppedTotal).toBe(0);
  });

  it('answers the client past maxClients 503 HOPTRACE_API_BUSY, and takes a new one once another leaves', async () => {
    const { url, stream } = await serve({ maxClients: 2 });
    const a = await connect(`${url}?c=a`);
    await connect(`${url}?c=b`);
    await waitFor(() => stream.clients === 2, { what: 'two clients' });

    const third = await connect(`${url}?c=c`);
    expect(third.status).toBe(503);
    await waitFor(() => third.ended(), { what: 'the 503 body' });
    const error = apiErrorSchema.parse(JSON.parse(third.text()));
    expect(error.code).toBe('HOPTRACE_API_BUSY');
    expect(error.error).toBe('at most 2 event streams at once');
    expect(stream.clients).toBe(2);

    a.res.destroy();
    await waitFor(() => stream.clients === 1, { what: 'a free place' });
    const fourth = await connect(`${url}?c=d`);
    expect(fourth.status).toBe(200);
    await waitFor(() => stream.clients === 2, { what: 'the new client' });
  });

  it('a client that stops reading does not make the server buffer without bound; it gets a resync once it reads again', async () => {
    const maxBufferedBytes = 4096;
    const { url, stream, responses } = await serve({ maxBufferedBytes });
    const fast = await connect(`${url}?c=fast`);
    const slow = await connect(`${url}?c=slow`, { paused: true });
    await waitFor(() => stream.clients === 2, { what: 'two clients' });
    const slowSide = responses.get('/api/events?c=slow')!;
    const fastSide = responses.get('/api/events?c=fast')!;

    const pad = 'x'.repeat(16 * 1024);
    const eventBytes = `event: run\ndata: ${JSON.stringify({ seq: 0, pad })}\n\n`.length + 8;
    // Bounded: what waits for the slow client never exceeds the limit by more than the event that crossed it.
    const bound = maxBufferedBytes + eventBytes + 256;
    let published = 0;
    let mostBuffered = 0;
    const publish = async () => {
      stream.publish(API_EVENTS.run, { seq: published++, pad });
      mostBuffered = Math.max(mostBuffered, slowSide.writableLength);
      await turn();
    };

    // Until the socket buffers between them are full and the server starts dropping.
    while (stream.droppedTotal === 0 && published < 20_000) await publish();
    expect(stream.droppedTotal).toBe(1);
    // Each further event is dropped for the slow client, and only for it.
    for (let i = 0; i < 50; i++) await publish();
    expect(stream.droppedTotal).toBe(51);
    expect(mostBuffered).toBeLessThanOrEqual(bound);
    expect(slowSide.writableLength).toBeLessThanOrEqual(bound);
    expect(fastSide.writableLength).toBeLessThanOrEqual(bound);

    // The fast client got every event, in order, and no resync.
    await waitFor(() => fast.events().length === published, { what: 'every event at the fast client' });
    expect(fast.events().map((e) => (e.data as { seq: number }).seq)).toEqual([...Array(published).keys()]);

    // The slow client reads again, catches up, then the next event comes after a resync.
    slow.res.resume();
    await waitFor(() => slowSide.writableLength === 0, { what: 'the slow client to catch up' });
    stream.publish(API_EVENTS.run, { seq: 'after' });
    stream.publish(API_EVENTS.run, { seq: 'after-2' });
    await waitFor(() => slow.events().some((e) => (e.data as { seq: unknown }).seq === 'after-2'), {
      what: 'the events after catching up',
    });
    // One resync with the count of dropped events, then the newer events.
    const events = slow.events();
    expect(events.slice(-3)).toEqual([
      { event: API_EVENTS.resync, data: { dropped: 51, reason: 'the client read events too slowly' } },
      { event: 'run', data: { seq: 'after' } },
      { event: 'run', data: { seq: 'after-2' } },
    ]);
    expect(() => resyncEventSchema.parse(events.at(-3)!.data)).not.toThrow();
    // Before it: the events sent before the first drop, none missing; the 51 dropped are the rest.
    const received = events.slice(0, -3).map((e) => (e.data as { seq: number }).seq);
    expect(received).toEqual([...Array(published - 51).keys()]);
    expect(stream.droppedTotal).toBe(51);

    // The fast client got the last events with no resync.
    await waitFor(() => fast.events().length === published + 2, { what: 'the last events at the fast client' });
    expect(fast.events().some((e) => e.event === API_EVENTS.resync)).toBe(false);
  });

  it('close() ends every stream', async () => {
    const { url, stream } = await serve({});
    const clients = [await connect(`${url}?c=a`), await connect(`${url}?c=b`), await connect(`${url}?c=c`)];
    await waitFor(() => stream.clients === 3, { what: 'three clients' });
    stream.publish(API_EVENTS.run, { runId: 'last' });
    stream.close();
    expect(stream.clients).toBe(0);
    for (const client of clients) {
      await waitFor(() => client.ended(), { what: 'the stream to end' });
      expect(client.events()).toEqual([{ event: 'run', data: { runId: 'last' } }]);
    }
    // Publishing after close sends nothing and does not throw.
    stream.publish(API_EVENTS.run, { runId: 'too-late' });
    expect(clients.every((c) => !c.text().includes('too-late'))).toBe(true);
  });
});
