// Live traffic for bench/dashboard-live.mjs: a driver that fires probe runs through the
// Oamserver's API at a fixed rate (POST /api/probes/<name>/runs, spread evenly, never waiting for
// one before the next), and a listener on GET /api/events that counts the `run` events the
// Oamserver streams: the classified runs a dashboard receives.

const round1 = (v) => Math.round(v * 10) / 10;

/**
 * Fires `rate` runs a second, round-robin over `probes`, each at its slot on an even schedule
 * (start + i / rate). A late timer fires the slots it missed at once and counts how late they
 * were. Returns { stop(), stats() }.
 */
export function startDriver({ baseUrl, probes, rate }) {
  const periodMs = 1000 / rate;
  const startedAt = performance.now();
  const stats = { fired: 0, accepted: 0, refused: 0, failed: 0, inFlight: 0, maxInFlight: 0, errors: {} };
  const lateMs = [];
  const answerMs = [];
  const pending = new Set();
  let slot = 0;
  let timer;
  let stopped = false;

  const fire = (probe, late) => {
    stats.fired++;
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    lateMs.push(late);
    const sent = performance.now();
    const request = fetch(`${baseUrl}/api/probes/${probe}/runs`, {
      method: 'POST',
      signal: AbortSignal.timeout(10_000),
    })
      .then(async (res) => {
        await res.arrayBuffer();
        answerMs.push(performance.now() - sent);
        if (res.status === 202) stats.accepted++;
        else {
          stats.refused++;
          stats.errors[`HTTP ${res.status}`] = (stats.errors[`HTTP ${res.status}`] ?? 0) + 1;
        }
      })
      .catch((error) => {
        stats.failed++;
        const key = error.cause?.code ?? error.name ?? 'error';
        stats.errors[key] = (stats.errors[key] ?? 0) + 1;
      })
      .finally(() => {
        stats.inFlight--;
        pending.delete(request);
      });
    pending.add(request);
  };

  const tick = () => {
    if (stopped) return;
    const now = performance.now();
    while (startedAt + slot * periodMs <= now) {
      fire(probes[slot % probes.length], now - (startedAt + slot * periodMs));
      slot++;
    }
    timer = setTimeout(tick, Math.max(0, startedAt + slot * periodMs - performance.now()));
  };
  tick();

  return {
    /** Stops firing; resolves once every request sent has been answered. */
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await Promise.allSettled([...pending]);
    },
    stats() {
      const sorted = (values) => [...values].sort((a, b) => a - b);
      const pct = (values, q) => {
        const s = sorted(values);
        return s.length ? round1(s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]) : undefined;
      };
      const seconds = (performance.now() - startedAt) / 1000;
      return {
        ...stats,
        seconds: round1(seconds),
        firedPerSecond: round1(stats.fired / seconds),
        lateMs: { p50: pct(lateMs, 0.5), p99: pct(lateMs, 0.99), max: pct(lateMs, 1) },
        answerMs: { p50: pct(answerMs, 0.5), p99: pct(answerMs, 0.99), max: pct(answerMs, 1) },
      };
    },
  };
}

/**
 * Listens to GET /api/events. Every `run` event is kept as { atMs (performance.now()), lagMs
 * (received minus fired, on the wall clock), probe, verdict }; other events are counted by name.
 * Resolves once the stream is open. `count(fromMs, toMs)` and `runs(fromMs, toMs)` select by
 * arrival time; `close()` ends the stream.
 */
export async function listenEvents(baseUrl) {
  const controller = new AbortController();
  const runs = [];
  const others = {};
  let malformed = 0;
  const res = await fetch(`${baseUrl}/api/events`, { signal: controller.signal });
  if (res.status !== 200) throw new Error(`GET /api/events answered ${res.status}`);
  const decoder = new TextDecoder();
  let buffer = '';
  const handle = (block) => {
    let event = 'message';
    let data = '';
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data += line.slice(5).trim();
    }
    if (!data) return;
    if (event !== 'run') {
      others[event] = (others[event] ?? 0) + 1;
      return;
    }
    try {
      const run = JSON.parse(data);
      runs.push({
        atMs: performance.now(),
        lagMs: Date.now() - Date.parse(run.firedAt),
        probe: run.probe,
        verdict: run.verdict,
      });
    } catch {
      malformed++;
    }
  };
  const reading = (async () => {
    try {
      for await (const chunk of res.body) {
        buffer += decoder.decode(chunk, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          handle(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      }
    } catch {
      // aborted by close(), or the server went away: the counts so far stand
    }
  })();
  const select = (fromMs = -Infinity, toMs = Infinity) => runs.filter((r) => r.atMs >= fromMs && r.atMs < toMs);
  return {
    runs: select,
    count: (fromMs, toMs) => select(fromMs, toMs).length,
    total: () => runs.length,
    others: () => ({ ...others, malformed }),
    async close() {
      controller.abort();
      await reading;
    },
  };
}

/**
 * Waits until the stream has delivered `expected` run events in all, or until no run event came
 * for `quietMs` (then the rest are not coming), at most `timeoutMs`. Returns how many are missing.
 */
export async function drainEvents(events, expected, { quietMs = 3000, timeoutMs = 15_000 } = {}) {
  const started = performance.now();
  let lastTotal = events.total();
  let lastChange = started;
  for (;;) {
    const total = events.total();
    if (total >= expected) return 0;
    const now = performance.now();
    if (total !== lastTotal) {
      lastTotal = total;
      lastChange = now;
    }
    if (now - lastChange > quietMs || now - started > timeoutMs) return expected - total;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
