import { createHash } from 'node:crypto';
import { createTransport } from 'nodemailer';
import { z } from 'zod';
import { AlertSendError, defineAlertChannelPlugin, type AlertEvent, type AlertLinks } from '../../plugins/types';
import { headlineOf, incidentFacts } from './incident-facts';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const envName = z.string().regex(ENV_NAME, 'must be an environment variable name, e.g. SMTP_PASSWORD');
/** `ops@example.com`, or `Ops <ops@example.com>`. */
const mailbox = z
  .string()
  .max(320)
  .refine((value) => {
    const address = /<([^<>]+)>\s*$/.exec(value)?.[1] ?? value;
    return z.email().safeParse(address.trim()).success && !/[\r\n]/.test(value);
  }, 'must be an e-mail address, e.g. ops@example.com or "Ops <ops@example.com>"');

/** Options of an `email` channel: an SMTP server and who gets the mail. */
export const emailChannelOptions = z
  .object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65_535),
    /** TLS from the first byte (SMTPS). Default: true on port 465, else false (then STARTTLS when the server offers it). */
    secure: z.boolean().optional(),
    /** Refuse to send unless the connection is upgraded with STARTTLS. Default: true when credentials are given. */
    requireTLS: z.boolean().optional(),
    from: mailbox,
    to: z.array(mailbox).min(1, 'give at least one recipient').max(50),
    /** Environment variable holding the SMTP user name (the name itself never goes in the file). */
    userEnv: envName.optional(),
    /** Environment variable holding the SMTP password. */
    passwordEnv: envName.optional(),
  })
  .strict()
  .superRefine((options, ctx) => {
    if ((options.userEnv === undefined) !== (options.passwordEnv === undefined)) {
      const missing = options.userEnv === undefined ? 'userEnv' : 'passwordEnv';
      ctx.addIssue({ code: 'custom', path: [missing], message: 'give both userEnv and passwordEnv, or neither' });
    }
  });

/** Checked options of an `email` channel. */
export type EmailChannelOptions = z.output<typeof emailChannelOptions>;

interface EmailState {
  auth?: { user: string; pass: string };
}

/** Longest subject: mail clients cut long ones anyway. */
const MAX_SUBJECT_LENGTH = 200;

/** `[hoptrace] OPEN deposit-voicemail: lost at recorder (recorder-2)`. */
export function emailSubject(event: AlertEvent): string {
  const subject = `[hoptrace] ${headlineOf(event)}`.replace(/[\r\n]+/g, ' ');
  return subject.length > MAX_SUBJECT_LENGTH ? `${subject.slice(0, MAX_SUBJECT_LENGTH - 1)}…` : subject;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The plain-text body: the summary line, the incident's facts one per line, the dashboard links. */
export function emailText(event: AlertEvent, links?: AlertLinks): string {
  const facts = incidentFacts(event);
  const width = Math.max(...facts.map((f) => f.label.length)) + 1;
  const lines = [event.text, '', ...facts.map((f) => `${`${f.label}:`.padEnd(width)} ${f.value}`)];
  if (links) {
    lines.push('', `Incident: ${links.incident}`);
    event.incident.exampleRuns.forEach((runId, i) => lines.push(`Run ${runId}: ${links.runs[i]}`));
  }
  lines.push('', '-- ', 'Sent by hoptrace.');
  return `${lines.join('\n')}\n`;
}

/** The HTML body: the same as the text, as a heading, a table and links. */
export function emailHtml(event: AlertEvent, links?: AlertLinks): string {
  const opened = event.type === 'incident.opened';
  const rows = incidentFacts(event)
    .map(
      (f) =>
        `<tr><th align="left" style="padding:2px 12px 2px 0">${escapeHtml(f.label)}</th><td>${escapeHtml(f.value)}</td></tr>`,
    )
    .join('\n');
  const runLinks = links
    ? event.incident.exampleRuns.map(
        (runId, i) => `<a href="${escapeHtml(links.runs[i]!)}">run ${escapeHtml(runId)}</a>`,
      )
    : [];
  const linkLine = links
    ? `<p><a href="${escapeHtml(links.incident)}">Open the incident</a>${runLinks.length > 0 ? ` · ${runLinks.join(' · ')}` : ''}</p>`
    : '';
  return [
    '<!doctype html>',
    '<html><body style="font-family:sans-serif">',
    `<h2 style="color:${opened ? '#b00020' : '#1b7f3b'}">${escapeHtml(headlineOf(event))}</h2>`,
    `<p>${escapeHtml(event.text)}</p>`,
    `<table>\n${rows}\n</table>`,
    linkLine,
    '<p style="color:#666">Sent by hoptrace.</p>',
    '</body></html>',
  ]
    .filter(Boolean)
    .join('\n');
}

/** A stable Message-ID per incident and event, so that a resolution threads under its opening in mail clients. */
function messageIdOf(incidentId: string, type: AlertEvent['type']): string {
  const hash = createHash('sha256').update(incidentId).digest('hex').slice(0, 32);
  return `<${hash}.${type === 'incident.opened' ? 'opened' : 'resolved'}@hoptrace>`;
}

/** What nodemailer's errors carry besides the message. */
interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
}

/** Sends each incident event as an e-mail through an SMTP server (nodemailer). */
export const emailChannel = defineAlertChannelPlugin<EmailChannelOptions, EmailState>({
  type: 'alert-channel',
  kind: 'email',
  description: 'e-mail through an SMTP server',
  options: emailChannelOptions,
  requiredEnv: (options) => [options.userEnv, options.passwordEnv].filter((name): name is string => name !== undefined),
  open({ options, env }) {
    if (!options.userEnv || !options.passwordEnv) return {};
    const user = env(options.userEnv);
    const pass = env(options.passwordEnv);
    if (!user || !pass) {
      const unset = !user ? options.userEnv : options.passwordEnv;
      throw new AlertSendError(`environment variable ${unset} is not set`, { retryable: false });
    }
    return { auth: { user, pass } };
  },
  async send(event, options, state, { timeoutMs, links, signal }) {
    const secure = options.secure ?? options.port === 465;
    // A transport per attempt: its timeouts are the attempt's, and nothing is left open between events.
    const transport = createTransport({
      host: options.host,
      port: options.port,
      secure,
      requireTLS: options.requireTLS ?? (state.auth !== undefined && !secure),
      ...(state.auth && { auth: state.auth }),
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    });
    const abandon = () => transport.close();
    signal.addEventListener('abort', abandon, { once: true });
    try {
      const opening = messageIdOf(event.incident.id, 'incident.opened');
      const info = await transport.sendMail({
        from: options.from,
        to: options.to,
        subject: emailSubject(event),
        text: emailText(event, links),
        html: emailHtml(event, links),
        messageId: messageIdOf(event.incident.id, event.type),
        ...(event.type === 'incident.resolved' && { inReplyTo: opening, references: [opening] }),
        headers: { 'x-hoptrace-event': event.type, 'x-hoptrace-incident': event.incident.id },
      });
      const status = Number(/^\d{3}/.exec(info.response)?.[0]);
      const rejected = (info.rejected as unknown[]).map((r) =>
        typeof r === 'string' ? r : (r as { address: string }).address,
      );
      return {
        ...(Number.isInteger(status) && { status }),
        detail: rejected.length > 0 ? `${info.response}; refused: ${rejected.join(', ')}` : info.response,
      };
    } catch (error) {
      const { code, responseCode, message } = error as SmtpError;
      // A 5xx answer or refused credentials will not change on a retry; a 4xx or a network error may.
      const permanent = code === 'EAUTH' || (responseCode !== undefined && responseCode >= 500 && responseCode < 600);
      throw new AlertSendError(code ? `${code}: ${message}` : message, {
        retryable: !permanent,
        ...(responseCode !== undefined && { status: responseCode }),
      });
    } finally {
      signal.removeEventListener('abort', abandon);
      transport.close();
    }
  },
});
