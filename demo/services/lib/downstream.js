// Calls to the services downstream. Each may run several instances; calls are spread over them
// round robin (from a random start, so that several callers do not all hit instance 1 first),
// which makes one probe run pass through one instance of each service.

/** A downstream call that got no HTTP answer (refused, reset, timed out). */
export class DownstreamUnreachable extends Error {
  constructor(service, url, cause) {
    super(`${service} did not answer (${url}): ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'DownstreamUnreachable';
    this.status = 502;
  }
}

/** A JSON answer as an object; anything else kept as `{ text }` so error reports can show it. */
function parseBody(text) {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return { text };
  }
}

/** The instances of one downstream service: `call(method, path, body)` → `{ status, body, url }`. */
export function downstream(service, { urls }, { timeoutMs }) {
  let next = Math.floor(Math.random() * urls.length);
  return {
    service,
    urls,
    async call(method, path, body) {
      const url = `${urls[next++ % urls.length]}${path}`;
      let res;
      try {
        res = await fetch(url, {
          method,
          headers: body === undefined ? {} : { 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        throw new DownstreamUnreachable(service, url, error);
      }
      return { status: res.status, body: parseBody(await res.text()), url };
    },
  };
}

/**
 * Answers the caller when a downstream call did not succeed, and says whether it did so:
 * a 202 (the downstream accepted the request but dropped it) is passed on as a 202, client
 * errors (4xx) are passed on as they are, anything else becomes a 502 naming the service.
 */
export function relayFailure(res, result, expected = [200, 201]) {
  if (expected.includes(result.status)) return false;
  if (result.status === 202) {
    res.status(202).json({ accepted: true, note: `accepted by a downstream service that did not complete it` });
  } else if (result.status >= 400 && result.status < 500) {
    res.status(result.status).json(result.body ?? { error: `downstream answered ${result.status}` });
  } else {
    res.status(502).json({ error: `${result.url} answered ${result.status}` });
  }
  return true;
}
