import { z } from 'zod';
import { duration } from './duration';

/** Names of alert channels: they become the `channel` label of metrics. `log` is the log channel's. */
export const ALERT_CHANNEL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** RFC 9110 token: what a header name may be made of. */
const HEADER_NAME_PATTERN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers hoptrace sets itself: a config must not be able to forge or break the signature. */
const RESERVED_HEADER = /^(x-hoptrace-.*|content-type|content-length|host|transfer-encoding|connection)$/i;

const extraHeaders = z.record(z.string(), z.string().max(4096)).superRefine((headers, ctx) => {
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME_PATTERN.test(name)) {
      ctx.addIssue({ code: 'custom', path: [name], message: `"${name}" is not a valid header name` });
    } else if (RESERVED_HEADER.test(name)) {
      ctx.addIssue({ code: 'custom', path: [name], message: `"${name}" is set by hoptrace and cannot be configured` });
    }
    if (/[\r\n\0]/.test(value)) {
      ctx.addIssue({ code: 'custom', path: [name], message: 'a header value cannot contain line breaks' });
    }
  }
});

/** One webhook that receives incident events. */
export const webhookSchema = z
  .object({
    /** Unique among webhooks; used in metrics and logs. */
    name: z
      .string()
      .regex(ALERT_CHANNEL_NAME_PATTERN, 'use 1-64 letters, digits, _ or -, starting with a letter or digit')
      .refine((name) => name !== 'log', '"log" is the name of the log channel'),
    url: z
      .string()
      .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), 'must be an http:// or https:// URL'),
    /** Environment variable holding the signing secret (the secret itself never goes in the file). */
    secretEnv: z.string().regex(ENV_NAME_PATTERN, 'must be an environment variable name, e.g. HOPTRACE_WEBHOOK_SECRET'),
    headers: extraHeaders.optional(),
    /** Per-request timeout. */
    timeout: duration({ minMs: 100, maxMs: 60_000 }).default(5000),
    /** Requests per event, the first included. */
    maxAttempts: z.number().int().min(1).max(10).default(5),
  })
  .strict();

/** Where incident events go. */
export const alertsSchema = z
  .object({
    /** Write every event to the Oamserver's log. */
    log: z.boolean().default(true),
    webhooks: z.array(webhookSchema).max(20).default([]),
  })
  .strict();

/** Checked alert settings, durations in milliseconds. */
export type AlertsConfig = z.output<typeof alertsSchema>;
/** One checked webhook. */
export type WebhookConfig = AlertsConfig['webhooks'][number];

/**
 * Webhook names must be unique. Checked on the raw document, like the other cross-field checks,
 * so that it is reported together with the schema's own complaints.
 */
export function crossCheckAlerts(raw: unknown): { path: string; message: string }[] {
  const webhooks = (raw as { webhooks?: unknown } | undefined)?.webhooks;
  if (!Array.isArray(webhooks)) return [];
  const issues: { path: string; message: string }[] = [];
  const firstIndexOf = new Map<string, number>();
  webhooks.forEach((webhook: unknown, index) => {
    const name = (webhook as { name?: unknown } | null)?.name;
    if (typeof name !== 'string') return;
    const first = firstIndexOf.get(name);
    if (first === undefined) firstIndexOf.set(name, index);
    else
      issues.push({
        path: `alerts.webhooks.${index}.name`,
        message: `"${name}" is already the name of alerts.webhooks.${first}`,
      });
  });
  return issues;
}
