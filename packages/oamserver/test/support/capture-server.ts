// A real HTTP server on port 0 that keeps every request it gets, for the tests of alert channels.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the server got it. */
export interface CapturedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The body parsed as JSON (undefined when it is not JSON). */
  body: unknown;
}

/** What the server answers to request number `index` (0-based). */
export interface CaptureAnswer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

export interface CaptureServer {
  readonly url: string;
  readonly requests: CapturedRequest[];
  /** Answers from now on: each request gets the next one, the last repeats. Default `[{ status: 200, body: 'ok' }]`. */
  answer(...answers: CaptureAnswer[]): void;
  close(): Promise<void>;
}

export async function startCaptureServer(): Promise<CaptureServer> {
  const requests: CapturedRequest[] = [];
  let answers: CaptureAnswer[] = [{ status: 200, body: 'ok' }];
  let answered = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        body = undefined;
      }
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      const answer = answers[Math.min(answered, answers.length - 1)]!;
      answered += 1;
      res.writeHead(answer.status, answer.headers).end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    requests,
    answer(...next) {
      answers = next;
      answered = 0;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
