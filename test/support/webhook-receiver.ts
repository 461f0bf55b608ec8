import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';

/** One delivery the receiver got. */
export interface ReceivedAlert {
  /** The signature checked out (HMAC-SHA256 over `timestamp.body` with the shared secret). */
  signatureValid: boolean;
  body: { type: string; atMs: number; text?: string; incident: Record<string, unknown> & { id: string } };
}

/** A real HTTP webhook receiver, as an alerting tool would run it. */
export interface WebhookReceiver {
  readonly url: string;
  readonly received: ReceivedAlert[];
  close(): Promise<void>;
}

/** Checks `x-hoptrace-signature: sha256=<hex>` over `<x-hoptrace-timestamp>.<raw body>`, in constant time. */
export function verifySignature(
  secret: string,
  timestamp: string | undefined,
  rawBody: string,
  header: string | undefined,
): boolean {
  if (!timestamp || !header?.startsWith('sha256=')) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex'));
  const given = Buffer.from(header.slice('sha256='.length));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function startWebhookReceiver(secret: string): Promise<WebhookReceiver> {
  const received: ReceivedAlert[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const timestamp = req.headers['x-hoptrace-timestamp'] as string | undefined;
      const signature = req.headers['x-hoptrace-signature'] as string | undefined;
      received.push({
        signatureValid: verifySignature(secret, timestamp, raw, signature),
        body: JSON.parse(raw) as ReceivedAlert['body'],
      });
      res.writeHead(204).end();
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({
        url: `http://127.0.0.1:${port}/hooks/hoptrace`,
        received,
        close: () => new Promise((r) => server.close(() => r())),
      });
    });
  });
}
