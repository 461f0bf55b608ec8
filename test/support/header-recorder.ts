import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

/** One request a recorder got. */
export interface RecordedRequest {
  path: string;
  headers: IncomingHttpHeaders;
}

/** A plain HTTP server that answers 200 and keeps the headers of every request (a stand-in for any peer). */
export interface HeaderRecorder {
  readonly url: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

/** Starts a recorder on `host` (any loopback address: Linux answers on all of 127.0.0.0/8), port 0. */
export function startHeaderRecorder(host = '127.0.0.1'): Promise<HeaderRecorder> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ path: req.url ?? '', headers: req.headers });
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({
        url: `http://${host}:${port}`,
        requests,
        close: () => {
          server.closeAllConnections();
          return new Promise((r) => server.close(() => r()));
        },
      });
    });
  });
}
