import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { PluginChannel, type PluginChannelOptions } from '../src/alerts/plugin-channel';
import {
  AlertSendError,
  defineAlertChannelPlugin,
  type AlertChannelPlugin,
  type AlertEvent,
  type AlertSendContext,
} from '../src/plugins/types';
import { openedEvent, resolvedEvent } from './support/incident-events';

interface Call {
  event: AlertEvent;
  options: { label: string };
  state: unknown;
  context: AlertSendContext;
}

/** A plugin whose `send` runs `behave` for each attempt, and that keeps what it was given. */
function recordingPlugin(behave: (call: Call) => unknown = () => undefined) {
  const calls: Call[] = [];
  const opened: unknown[] = [];
  const closed: unknown[] = [];
  const plugin = defineAlertChannelPlugin<{ label: string }, { token: number }>({
    type: 'alert-channel',
    kind: 'recording',
    options: z.object({ label: z.string() }),
    open(env) {
      opened.push({ channel: env.channel, options: env.options, secret: env.env('SECRET') });
      return { token: opened.length };
    },
    send(event, options, state, context) {
      const call = { event, options, state, context };
      calls.push(call);
      return behave(call) as void;
    },
    close(state) {
      closed.push(state);
    },
  });
  return { plugin: plugin as AlertChannelPlugin, calls, opened, closed };
}

function channelOf(plugin: AlertChannelPlugin, options: Partial<PluginChannelOptions> = {}) {
  const warn = vi.fn<(message: string) => void>();
  const channel = new PluginChannel({
    name: 'team',
    plugin,
    options: { label: 'x' },
    baseDelayMs: 5,
    maxDelayMs: 20,
    random: () => 0,
    warn,
    env: (name) => (name === 'SECRET' ? 's3cret' : undefined),
    ...options,
  });
  return { channel, warn };
}

/** Waits for the channel's first delivery record. */
const finished = (channel: PluginChannel) =>
  vi.waitFor(
    () => {
      const [record] = channel.recentDeliveries();
      if (!record) throw new Error('no delivery has finished yet');
      return record;
    },
    { timeout: 5000 },
  );

describe('PluginChannel', () => {
  it('opens the plugin once, sends each event as webhooks receive it, with links, and records what the plugin said', async () => {
    const { plugin, calls, opened, closed } = recordingPlugin(() => ({ status: 250, detail: '250 queued as 42' }));
    const { channel } = channelOf(plugin, { dashboardUrl: 'https://hoptrace.example.com/' });
    channel.send(openedEvent());
    channel.send(resolvedEvent());
    await vi.waitFor(() => expect(channel.recentDeliveries()).toHaveLength(2), { timeout: 5000 });
    expect(opened).toEqual([{ channel: 'team', options: { label: 'x' }, secret: 's3cret' }]);
    expect(calls.map((c) => c.event.type)).toEqual(['incident.opened', 'incident.resolved']);
    const [first] = calls;
    expect(first!.event).toEqual({
      ...openedEvent(),
      text: 'OPEN slow at recorder (recorder-2) on deposit-voicemail since 14:02:11Z: recorder took 412ms, budget 200ms',
    });
    expect(first!.state).toEqual({ token: 1 });
    expect(first!.context).toMatchObject({ attempt: 1, timeoutMs: 10_000 });
    expect(first!.context.links).toEqual({
      incident: `https://hoptrace.example.com/incidents/${encodeURIComponent(openedEvent().incident.id)}`,
      runs: ['https://hoptrace.example.com/runs/r-1', 'https://hoptrace.example.com/runs/r-2'],
    });
    expect(channel.counts()).toEqual({ delivered: 2, retried: 0, failed: 0, dropped: 0 });
    expect(channel.recentDeliveries()[0]).toMatchObject({
      channel: 'team',
      outcome: 'delivered',
      attempts: 1,
      lastStatus: 250,
      detail: '250 queued as 42',
    });
    await channel.stop();
    expect(closed).toEqual([{ token: 1 }]);
  });

  it('retries a plugin that throws, with one delivery id, then fails: counted and warned about', async () => {
    const { plugin, calls } = recordingPlugin(({ context }) => {
      throw new Error(`receiver down (attempt ${context.attempt})`);
    });
    const { channel, warn } = channelOf(plugin, { maxAttempts: 3 });
    channel.send(openedEvent());
    const record = await finished(channel);
    expect(record).toMatchObject({ outcome: 'failed', attempts: 3, lastError: 'receiver down (attempt 3)' });
    expect(calls.map((c) => c.context.attempt)).toEqual([1, 2, 3]);
    expect(new Set(calls.map((c) => c.context.deliveryId)).size).toBe(1);
    expect(channel.counts()).toEqual({ delivered: 0, retried: 2, failed: 1, dropped: 0 });
    expect(warn).toHaveBeenCalledWith(
      expect.stringMatching(
        /^alert channel "team" \(recording\): incident\.opened of incident .* failed after 3 attempt\(s\): receiver down/,
      ),
    );
    await channel.stop();
  });

  it('stops at once when the plugin says a retry cannot help, keeping its status', async () => {
    const { plugin, calls } = recordingPlugin(() => {
      throw new AlertSendError('answered HTTP 404: no_service', { status: 404, retryable: false });
    });
    const { channel } = channelOf(plugin);
    channel.send(openedEvent());
    expect(await finished(channel)).toMatchObject({ outcome: 'failed', attempts: 1, lastStatus: 404 });
    expect(calls).toHaveLength(1);
    await channel.stop();
  });

  it('delivers when a later attempt succeeds, also after a rejection that is not an Error', async () => {
    const { plugin } = recordingPlugin(({ context }) =>
      // A plugin may reject with anything; a string must still become the attempt's error.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      context.attempt === 1 ? Promise.reject('socket hang up') : { status: 200 },
    );
    const { channel } = channelOf(plugin);
    channel.send(openedEvent());
    expect(await finished(channel)).toMatchObject({ outcome: 'delivered', attempts: 2, lastStatus: 200 });
    expect(channel.counts()).toEqual({ delivered: 1, retried: 1, failed: 0, dropped: 0 });
    await channel.stop();
  });

  it('gives an attempt up at the timeout even when the plugin ignores its signal, and aborts the signal', async () => {
    const signals: AbortSignal[] = [];
    const { plugin } = recordingPlugin(({ context }) => {
      signals.push(context.signal);
      return new Promise(() => {});
    });
    const { channel } = channelOf(plugin, { timeoutMs: 50, maxAttempts: 2 });
    channel.send(openedEvent());
    expect(await finished(channel)).toMatchObject({
      outcome: 'failed',
      attempts: 2,
      lastError: 'no answer within 50ms',
    });
    expect(signals.map((s) => s.aborted)).toEqual([true, true]);
    await channel.stop();
  });

  it('opens again after a failed open, and sends once it works', async () => {
    let opens = 0;
    const plugin = defineAlertChannelPlugin<unknown, string>({
      type: 'alert-channel',
      kind: 'flaky-open',
      options: z.unknown(),
      open() {
        opens += 1;
        if (opens === 1) throw new Error('login refused');
        return 'session';
      },
      send: () => undefined,
    }) as AlertChannelPlugin;
    const { channel } = channelOf(plugin);
    channel.send(openedEvent());
    expect(await finished(channel)).toMatchObject({ outcome: 'delivered', attempts: 2 });
    expect(opens).toBe(2);
    await channel.stop();
  });

  it('says when open failed on every attempt', async () => {
    const plugin = defineAlertChannelPlugin<unknown, never>({
      type: 'alert-channel',
      kind: 'no-open',
      options: z.unknown(),
      open() {
        throw new Error('bad credentials');
      },
      send: () => undefined,
    }) as AlertChannelPlugin;
    const { channel } = channelOf(plugin, { maxAttempts: 2 });
    channel.send(openedEvent());
    expect(await finished(channel)).toMatchObject({
      outcome: 'failed',
      attempts: 2,
      lastError: 'could not start (open failed): bad credentials',
    });
    await channel.stop();
  });

  it('stop() gives up on a hanging delivery within its bound and still closes the plugin', async () => {
    const { plugin, calls, closed } = recordingPlugin(() => new Promise(() => {}));
    const { channel } = channelOf(plugin, { timeoutMs: 60_000, stopTimeoutMs: 50 });
    channel.send(openedEvent({ id: 'in-flight' }));
    channel.send(openedEvent({ id: 'queued' }));
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    await channel.stop();
    const byId = Object.fromEntries(channel.recentDeliveries().map((r) => [r.incidentId, r]));
    expect(byId['in-flight']).toMatchObject({ outcome: 'failed', attempts: 1 });
    expect(byId['in-flight']!.lastError).toMatch(/gave up at shutdown$/);
    expect(byId.queued).toMatchObject({ outcome: 'dropped', lastError: 'given up at shutdown' });
    expect(closed).toEqual([{ token: 1 }]);
    // Idempotent.
    await channel.stop();
    expect(closed).toHaveLength(1);
  });
});
