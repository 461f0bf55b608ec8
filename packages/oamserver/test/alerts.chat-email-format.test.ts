import { describe, expect, it } from 'vitest';
import { toAlertEvent } from '../src/alerts/alert-event';
import { slackPayload, teamsPayload } from '../src/alerts/channels/chat';
import { emailHtml, emailSubject, emailText } from '../src/alerts/channels/email';
import type { AlertLinks } from '../src/plugins/types';
import { openedEvent, resolvedEvent } from './support/incident-events';

const LINKS: AlertLinks = {
  incident: 'https://hoptrace.example.com/incidents/x',
  runs: ['https://hoptrace.example.com/runs/r-1', 'https://hoptrace.example.com/runs/r-2'],
};

describe('chat messages', () => {
  it('Slack: the mention only on opening, mrkdwn escaped, ten fields at most', () => {
    const opened = slackPayload(
      toAlertEvent(openedEvent({ reason: 'took 412ms > 200ms & <more>' })),
      '<!here>',
      undefined,
    );
    expect(opened.text).toBe(
      '<!here> OPEN slow at recorder (recorder-2) on deposit-voicemail since 14:02:11Z: took 412ms &gt; 200ms &amp; &lt;more&gt;',
    );
    const resolved = slackPayload(toAlertEvent(resolvedEvent()), '<!here>', undefined);
    expect(resolved.text).not.toContain('<!here>');
    expect(resolved.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: '✅ RESOLVED deposit-voicemail: slow at recorder (recorder-2)', emoji: true },
    });
    const fields = (resolved.blocks[2] as { fields: { text: string }[] }).fields;
    expect(fields.length).toBeLessThanOrEqual(10);
    expect(fields.map((f) => f.text.split('\n')[0])).toEqual([
      '*Probe*',
      '*Service*',
      '*Instance*',
      '*Verdict*',
      '*Started*',
      '*Resolved*',
      '*Lasted*',
      '*Runs affected*',
      '*Worst*',
    ]);
    // No dashboard URL known: no buttons.
    expect(resolved.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'context']);
  });

  it('Slack: buttons to the incident and its latest example runs', () => {
    const { blocks } = slackPayload(toAlertEvent(openedEvent()), undefined, LINKS);
    expect(blocks[3]).toEqual({
      type: 'actions',
      elements: [
        { type: 'button', text: { type: 'plain_text', text: 'Open incident' }, url: LINKS.incident },
        { type: 'button', text: { type: 'plain_text', text: 'Run r-1' }, url: LINKS.runs[0] },
        { type: 'button', text: { type: 'plain_text', text: 'Run r-2' }, url: LINKS.runs[1] },
      ],
    });
  });

  it('Teams: an Adaptive Card in the attachments envelope, the mention as an entity', () => {
    const payload = teamsPayload(toAlertEvent(openedEvent()), 'ops@contoso.com', LINKS);
    expect(payload.type).toBe('message');
    expect(payload.attachments).toHaveLength(1);
    const [attachment] = payload.attachments;
    expect(attachment!.contentType).toBe('application/vnd.microsoft.card.adaptive');
    const card = attachment!.content as {
      type: string;
      version: string;
      body: { type: string; text?: string; color?: string; facts?: { title: string; value: string }[] }[];
      actions: { type: string; title: string; url: string }[];
      msteams: { entities: unknown[] };
    };
    expect([card.type, card.version]).toEqual(['AdaptiveCard', '1.4']);
    expect(card.body[0]).toMatchObject({
      text: 'OPEN deposit-voicemail: slow at recorder (recorder-2)',
      color: 'Attention',
    });
    expect(card.body[1]).toMatchObject({ type: 'TextBlock', text: '<at>ops@contoso.com</at>' });
    expect(card.msteams.entities).toEqual([
      {
        type: 'mention',
        text: '<at>ops@contoso.com</at>',
        mentioned: { id: 'ops@contoso.com', name: 'ops@contoso.com' },
      },
    ]);
    const facts = card.body.find((b) => b.type === 'FactSet')!.facts!;
    expect(facts).toContainEqual({ title: 'Verdict', value: 'slow' });
    expect(facts).toContainEqual({ title: 'Instance', value: 'recorder-2' });
    expect(card.actions.map((a) => [a.type, a.title])).toEqual([
      ['Action.OpenUrl', 'Open incident'],
      ['Action.OpenUrl', 'Run r-1'],
      ['Action.OpenUrl', 'Run r-2'],
    ]);
  });

  it('Teams: a resolution mentions nobody, colored good', () => {
    const card = teamsPayload(toAlertEvent(resolvedEvent()), 'ops@contoso.com', undefined).attachments[0]!.content as {
      body: { text?: string; color?: string }[];
      msteams: Record<string, unknown>;
      actions?: unknown;
    };
    expect(card.body[0]!.color).toBe('Good');
    expect(JSON.stringify(card)).not.toContain('<at>');
    expect(card.msteams).toEqual({ width: 'Full' });
    expect(card.actions).toBeUndefined();
  });
});

describe('e-mail messages', () => {
  it('subject: state, probe, verdict and place on one line', () => {
    expect(emailSubject(toAlertEvent(openedEvent({ kind: 'lost' })))).toBe(
      '[hoptrace] OPEN deposit-voicemail: lost at recorder (recorder-2)',
    );
    expect(emailSubject(toAlertEvent(resolvedEvent(60_000, { instance: undefined })))).toBe(
      '[hoptrace] RESOLVED deposit-voicemail: slow at recorder',
    );
  });

  it('text: the summary, one fact per line, the links', () => {
    const text = emailText(toAlertEvent(openedEvent()), LINKS);
    expect(text.split('\n').slice(0, 4)).toEqual([
      'OPEN slow at recorder (recorder-2) on deposit-voicemail since 14:02:11Z: recorder took 412ms, budget 200ms',
      '',
      'Probe:         deposit-voicemail',
      'Service:       recorder',
    ]);
    expect(text).toContain('Reason:        recorder took 412ms, budget 200ms\n');
    expect(text).toContain(`Incident: ${LINKS.incident}\n`);
    expect(text).toContain(`Run r-2: ${LINKS.runs[1]}\n`);
  });

  it('HTML: the same facts, escaped', () => {
    const html = emailHtml(toAlertEvent(openedEvent({ reason: '<script>alert(1)</script>' })), LINKS);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain(`<a href="${LINKS.incident}">Open the incident</a>`);
  });
});
