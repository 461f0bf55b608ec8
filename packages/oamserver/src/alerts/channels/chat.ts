import { z } from 'zod';
import { AlertSendError, defineAlertChannelPlugin, type AlertEvent, type AlertLinks } from '../../plugins/types';
import { isRetryableStatus, parseRetryAfterMs } from '../retry-policy';
import { describeFetchError } from '../webhook-request';
import { headlineOf, incidentFacts } from './incident-facts';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const isHttpUrl = (u: string): boolean => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol);
/** Slack mentions as Slack writes them: `<!here>`, `<!channel>`, `<@U024BE7LH>`, `<!subteam^SAZ94GDB8>`. */
const SLACK_MENTIONS = /^<[!@][^<>\s]+>(\s+<[!@][^<>\s]+>)*$/;
/** A Teams user principal name (`ops@contoso.com`) or Microsoft Entra object id. */
const TEAMS_MENTION = /^[^\s<>]+$/;

/** Options of a `chat` channel: a chat tool's incoming webhook. */
export const chatChannelOptions = z
  .object({
    /** The incoming webhook's URL. It is a credential: prefer `urlEnv` when the file is shared. */
    url: z.string().refine(isHttpUrl, 'must be an http:// or https:// URL').optional(),
    /** Name of the environment variable holding the URL instead. */
    urlEnv: z.string().regex(ENV_NAME, 'must be an environment variable name, e.g. SLACK_WEBHOOK_URL').optional(),
    /** `slack`: Slack (and Slack-compatible: Mattermost, Rocket.Chat) `text` + `blocks`; `teams`: an Adaptive Card. */
    format: z.enum(['slack', 'teams']),
    /** Who is notified when an incident opens: Slack `<!here>`, `<@U024BE7LH>`; Teams a user principal name. */
    mention: z.string().min(1).max(200).optional(),
  })
  .strict()
  .superRefine((options, ctx) => {
    if ((options.url === undefined) === (options.urlEnv === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'give either url or urlEnv' });
    }
    if (options.mention === undefined) return;
    if (options.format === 'slack' && !SLACK_MENTIONS.test(options.mention)) {
      ctx.addIssue({
        code: 'custom',
        path: ['mention'],
        message: 'write Slack mentions as Slack does: <!here>, <!channel>, <@U024BE7LH>, <!subteam^SAZ94GDB8>',
      });
    } else if (options.format === 'teams' && !TEAMS_MENTION.test(options.mention)) {
      ctx.addIssue({ code: 'custom', path: ['mention'], message: 'give a user principal name, e.g. ops@contoso.com' });
    }
  });

/** Checked options of a `chat` channel. */
export type ChatChannelOptions = z.output<typeof chatChannelOptions>;

/** Slack's limits: a header's text, a field's text, a button's label. */
const SLACK_HEADER_MAX = 150;
const SLACK_FIELD_MAX = 2000;
const SLACK_MAX_FIELDS = 10;
/** Example runs linked from a message: the latest ones. */
const LINKED_RUNS = 2;

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Slack's mrkdwn needs &, < and > escaped (everything else is shown as written). */
function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Facts shown as fields or a fact set: the reason and the id are shown elsewhere. */
function shownFacts(event: AlertEvent) {
  return incidentFacts(event).filter((f) => f.label !== 'Reason' && f.label !== 'Incident');
}

function runLinks(event: AlertEvent, links: AlertLinks): { title: string; url: string }[] {
  return event.incident.exampleRuns
    .map((runId, i) => ({ title: `Run ${runId}`, url: links.runs[i]! }))
    .slice(-LINKED_RUNS);
}

/**
 * A Slack incoming-webhook message: `text` (the notification and fallback line) and `blocks` (a
 * header, the reason, the incident's facts as fields, buttons to the dashboard, the incident id).
 */
export function slackPayload(event: AlertEvent, mention: string | undefined, links: AlertLinks | undefined) {
  const opened = event.type === 'incident.opened';
  // Mention only on opening: a resolution needs nobody's attention.
  const who = opened && mention ? `${mention} ` : '';
  const blocks: Record<string, unknown>[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: clip(`${opened ? '🔴' : '✅'} ${headlineOf(event)}`, SLACK_HEADER_MAX),
        emoji: true,
      },
    },
    { type: 'section', text: { type: 'mrkdwn', text: clip(`${who}${slackEscape(event.text)}`, 3000) } },
    {
      type: 'section',
      fields: shownFacts(event)
        .slice(0, SLACK_MAX_FIELDS)
        .map((f) => ({ type: 'mrkdwn', text: clip(`*${f.label}*\n${slackEscape(f.value)}`, SLACK_FIELD_MAX) })),
    },
  ];
  if (links) {
    blocks.push({
      type: 'actions',
      elements: [{ title: 'Open incident', url: links.incident }, ...runLinks(event, links)].map(({ title, url }) => ({
        type: 'button',
        text: { type: 'plain_text', text: clip(title, 75) },
        url,
      })),
    });
  }
  blocks.push({
    type: 'context',
    elements: [
      { type: 'mrkdwn', text: clip(`hoptrace · incident ${slackEscape(event.incident.id)}`, SLACK_FIELD_MAX) },
    ],
  });
  return { text: `${who}${slackEscape(event.text)}`, blocks };
}

/**
 * A Microsoft Teams message: an Adaptive Card (1.4) in the `attachments` envelope, which both
 * Teams Workflows ("When a Teams webhook request is received") and the older incoming webhooks
 * accept; Workflows do not accept the legacy MessageCard.
 */
export function teamsPayload(event: AlertEvent, mention: string | undefined, links: AlertLinks | undefined) {
  const opened = event.type === 'incident.opened';
  const mentionText = opened && mention ? `<at>${mention}</at>` : undefined;
  const body: Record<string, unknown>[] = [
    {
      type: 'TextBlock',
      text: headlineOf(event),
      weight: 'Bolder',
      size: 'Medium',
      color: opened ? 'Attention' : 'Good',
      wrap: true,
    },
  ];
  if (mentionText) body.push({ type: 'TextBlock', text: mentionText, wrap: true });
  body.push(
    { type: 'TextBlock', text: event.text, wrap: true },
    { type: 'FactSet', facts: shownFacts(event).map((f) => ({ title: f.label, value: f.value })) },
    { type: 'TextBlock', text: `hoptrace · incident ${event.incident.id}`, isSubtle: true, size: 'Small', wrap: true },
  );
  const card: Record<string, unknown> = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body,
    msteams: {
      width: 'Full',
      ...(mentionText && {
        entities: [{ type: 'mention', text: mentionText, mentioned: { id: mention, name: mention } }],
      }),
    },
  };
  if (links) {
    card.actions = [{ title: 'Open incident', url: links.incident }, ...runLinks(event, links)].map(
      ({ title, url }) => ({
        type: 'Action.OpenUrl',
        title,
        url,
      }),
    );
  }
  return {
    type: 'message',
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card }],
  };
}

/** The body of a chat message in the channel's format. */
export function chatPayload(event: AlertEvent, options: ChatChannelOptions, links?: AlertLinks): unknown {
  return options.format === 'teams'
    ? teamsPayload(event, options.mention, links)
    : slackPayload(event, options.mention, links);
}

/** Posts each incident event to a chat tool's incoming webhook (Slack-compatible or Teams). */
export const chatChannel = defineAlertChannelPlugin<ChatChannelOptions, { url: string }>({
  type: 'alert-channel',
  kind: 'chat',
  description: 'Slack-compatible or Microsoft Teams incoming webhook',
  options: chatChannelOptions,
  requiredEnv: (options) => (options.urlEnv ? [options.urlEnv] : []),
  open({ options, env }) {
    const url = options.url ?? env(options.urlEnv!);
    if (!url || !isHttpUrl(url)) {
      throw new AlertSendError(`environment variable ${options.urlEnv} does not hold an http(s) URL`, {
        retryable: false,
      });
    }
    return { url };
  },
  async send(event, options, { url }, { signal, links }) {
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'hoptrace-oamserver' },
        body: JSON.stringify(chatPayload(event, options, links)),
        // A redirect would send the message somewhere not configured.
        redirect: 'manual',
        signal,
      });
    } catch (error) {
      throw new AlertSendError(describeFetchError(error));
    }
    // Slack answers `ok` or an error word (`invalid_payload`, `no_service`): worth keeping.
    const answer = (await response.text().catch(() => '')).trim().slice(0, 200);
    if (response.ok) return { status: response.status, ...(answer && { detail: answer }) };
    throw new AlertSendError(`answered HTTP ${response.status}${answer ? `: ${answer}` : ''}`, {
      status: response.status,
      retryable: isRetryableStatus(response.status),
      retryAfterMs: parseRetryAfterMs(response.headers.get('retry-after'), Date.now()),
    });
  },
});
