import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AlertDispatcher } from '../../src/alerts/alert-dispatcher';
import { emailChannel } from '../../src/alerts/channels/email';
import { createAlertDispatcher } from '../../src/alerts/create-alert-dispatcher';
import { PluginChannel } from '../../src/alerts/plugin-channel';
import { parseProbeConfig } from '../../src/config/load-probe-config';
import { openedEvent, resolvedEvent } from '../support/incident-events';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink';

const PROBES = `probes:
  - name: deposit-voicemail
    trigger: { http: { url: 'http://127.0.0.1:7001/calls' } }
    path: [gateway, recorder, notifier]
`;

async function dispatcherFor(alerts: string, env: Record<string, string> = {}): Promise<AlertDispatcher> {
  const config = await parseProbeConfig(`${PROBES}alerts:\n${alerts}`);
  return createAlertDispatcher(config.alerts, { env: (name) => env[name], log: () => undefined });
}

function finished(records: () => readonly unknown[], count = 1) {
  return vi.waitFor(
    () => {
      if (records().length < count) throw new Error(`${records().length} of ${count} deliveries finished`);
    },
    { timeout: 20_000, interval: 20 },
  );
}

describe('email channel to a real SMTP server', () => {
  let sink: SmtpSink | undefined;
  let dispatcher: AlertDispatcher | undefined;
  let channel: PluginChannel | undefined;

  afterEach(async () => {
    await dispatcher?.stop();
    await channel?.stop();
    await sink?.close();
    dispatcher = undefined;
    channel = undefined;
    sink = undefined;
  });

  it('mails every recipient a subject naming the place, a text and an HTML body, with dashboard links', async () => {
    sink = await startSmtpSink();
    dispatcher = await dispatcherFor(`  dashboardUrl: https://hoptrace.example.com
  channels:
    - name: ops-mail
      email:
        host: 127.0.0.1
        port: ${sink.port}
        from: 'hoptrace <hoptrace@example.com>'
        to: [ops@example.com, oncall@example.com]
`);
    dispatcher.dispatch(openedEvent({ kind: 'lost', reason: 'never reached recorder (last reached: gateway)' }));
    dispatcher.dispatch(resolvedEvent());
    await finished(() => dispatcher!.recentDeliveries(), 2);
    expect(dispatcher.recentDeliveries().map((r) => [r.outcome, r.lastStatus])).toEqual([
      ['delivered', 250],
      ['delivered', 250],
    ]);
    expect(sink.messages).toHaveLength(2);
    const [opened, resolved] = sink.messages;
    expect(opened!.mailFrom).toBe('hoptrace@example.com');
    expect(opened!.rcptTo).toEqual(['ops@example.com', 'oncall@example.com']);
    expect(opened!.mail.subject).toBe('[hoptrace] OPEN deposit-voicemail: lost at recorder (recorder-2)');
    expect(opened!.mail.text).toContain(
      'OPEN lost at recorder (recorder-2) on deposit-voicemail since 14:02:11Z: never reached recorder (last reached: gateway)',
    );
    expect(opened!.mail.text).toMatch(/^Verdict: +lost$/m);
    expect(opened!.mail.text).toMatch(/^Instance: +recorder-2$/m);
    const incidentUrl = `https://hoptrace.example.com/incidents/${encodeURIComponent(openedEvent().incident.id)}`;
    expect(opened!.mail.text).toContain(`Incident: ${incidentUrl}`);
    expect(opened!.mail.html).toContain(
      '<h2 style="color:#b00020">OPEN deposit-voicemail: lost at recorder (recorder-2)</h2>',
    );
    expect(opened!.mail.html).toContain(`href="${incidentUrl}"`);
    expect(opened!.mail.headers.get('x-hoptrace-event')).toBe('incident.opened');
    expect(resolved!.mail.subject).toBe('[hoptrace] RESOLVED deposit-voicemail: slow at recorder (recorder-2)');
    // The resolution threads under its opening.
    expect(resolved!.mail.inReplyTo).toBe(opened!.mail.messageId);
  });

  it('logs in with the user and password the variables hold', async () => {
    sink = await startSmtpSink({ credentials: { user: 'hoptrace', password: 'correct horse' } });
    dispatcher = await dispatcherFor(
      `  channels:
    - name: ops-mail
      email:
        host: 127.0.0.1
        port: ${sink.port}
        # The sink has no TLS; a real server would be reached with TLS (the default with credentials).
        requireTLS: false
        from: hoptrace@example.com
        to: [ops@example.com]
        userEnv: SMTP_USER
        passwordEnv: SMTP_PASSWORD
`,
      { SMTP_USER: 'hoptrace', SMTP_PASSWORD: 'correct horse' },
    );
    dispatcher.dispatch(openedEvent());
    await finished(() => dispatcher!.recentDeliveries());
    expect(dispatcher.recentDeliveries()[0]).toMatchObject({ outcome: 'delivered' });
    expect(sink.messages.map((m) => m.user)).toEqual(['hoptrace']);
  });

  it('never sends credentials without TLS unless told to: the delivery fails, nothing is sent', async () => {
    sink = await startSmtpSink({ credentials: { user: 'hoptrace', password: 'correct horse' } });
    dispatcher = await dispatcherFor(
      `  channels:
    - name: ops-mail
      email: { host: 127.0.0.1, port: ${sink.port}, from: hoptrace@example.com, to: [ops@example.com], userEnv: SMTP_USER, passwordEnv: SMTP_PASSWORD }
      maxAttempts: 1
`,
      { SMTP_USER: 'hoptrace', SMTP_PASSWORD: 'correct horse' },
    );
    dispatcher.dispatch(openedEvent());
    await finished(() => dispatcher!.recentDeliveries());
    expect(dispatcher.recentDeliveries()[0]).toMatchObject({ outcome: 'failed', attempts: 1 });
    expect(dispatcher.recentDeliveries()[0]!.lastError).toMatch(/TLS/);
    expect(sink.messages).toEqual([]);
  });

  it('fails at once on wrong credentials and on a 5xx answer; retries a 4xx answer', async () => {
    sink = await startSmtpSink({ credentials: { user: 'hoptrace', password: 'correct horse' } });
    const options = {
      host: '127.0.0.1',
      port: sink.port,
      requireTLS: false,
      from: 'hoptrace@example.com',
      to: ['ops@example.com'],
      userEnv: 'SMTP_USER',
      passwordEnv: 'SMTP_PASSWORD',
    };
    const make = (password: string) =>
      new PluginChannel({
        name: 'ops-mail',
        plugin: emailChannel,
        options,
        baseDelayMs: 10,
        maxDelayMs: 50,
        timeoutMs: 10_000,
        env: (name) => ({ SMTP_USER: 'hoptrace', SMTP_PASSWORD: password })[name],
      });

    channel = make('wrong');
    channel.send(openedEvent());
    await finished(() => channel!.recentDeliveries());
    expect(channel.recentDeliveries()[0]).toMatchObject({ outcome: 'failed', attempts: 1, lastStatus: 535 });
    expect(channel.recentDeliveries()[0]!.lastError).toMatch(/^EAUTH/);
    await channel.stop();

    channel = make('correct horse');
    sink.answer(550);
    channel.send(openedEvent());
    await finished(() => channel!.recentDeliveries());
    expect(channel.recentDeliveries()[0]).toMatchObject({ outcome: 'failed', attempts: 1, lastStatus: 550 });

    sink.answer(451, 250);
    channel.send(resolvedEvent());
    await finished(() => channel!.recentDeliveries(), 2);
    expect(channel.recentDeliveries()[1]).toMatchObject({ outcome: 'delivered', attempts: 2, lastStatus: 250 });
    expect(sink.messages.map((m) => m.mail.subject)).toEqual([
      '[hoptrace] RESOLVED deposit-voicemail: slow at recorder (recorder-2)',
    ]);
    expect(sink.refused).toBe(2);
  });
});
