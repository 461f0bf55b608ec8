/** The broker a connection is on, as the destination of its messages. */
export interface BrokerPeer {
  /** Host name as the connection was asked for (no DNS lookup), else the IP address it reached. */
  address: string;
  port?: number;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function port(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

/**
 * The peer of a socket: the host it was asked to connect to (Node keeps it as `_host`, for TCP
 * and TLS sockets alike), else its remote address; undefined when it says neither.
 */
export function socketPeer(socket: unknown): BrokerPeer | undefined {
  if (typeof socket !== 'object' || socket === null) return undefined;
  const s = socket as { _host?: unknown; remoteAddress?: unknown; remotePort?: unknown };
  const address = text(s._host) ?? text(s.remoteAddress);
  if (address === undefined) return undefined;
  const remotePort = port(s.remotePort);
  return remotePort === undefined ? { address } : { address, port: remotePort };
}

/** The RabbitMQ broker an amqplib channel (promise or callback API) is on: its connection's socket. */
export function amqpChannelPeer(channel: unknown): BrokerPeer | undefined {
  try {
    return socketPeer((channel as { connection?: { stream?: unknown } } | null)?.connection?.stream);
  } catch {
    return undefined;
  }
}

/**
 * The NATS server a nats.js connection is on now: the server entry it connected to (host as
 * given in `servers`, or as the cluster announced it).
 */
export function natsConnectionPeer(connection: unknown): BrokerPeer | undefined {
  try {
    const server = (connection as { protocol?: { server?: { hostname?: unknown; port?: unknown } } } | null)?.protocol
      ?.server;
    const address = text(server?.hostname);
    if (address === undefined) return undefined;
    const serverPort = port(server?.port);
    return serverPort === undefined ? { address } : { address, port: serverPort };
  } catch {
    return undefined;
  }
}
