import { z } from 'zod';
import { BUILTIN_ALERT_CHANNEL_OPTIONS } from '../alerts/channels/builtin-channels';
import type { StandardSchemaV1 } from '../plugins/types';
import { duration } from './duration';
import { checkKindAndOptions } from './plugin-options';
import { crossCheckSilences, silenceSchema } from './silences-schema';

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

/** The options schema of each alert-channel kind a config may use: built-in ones and those of its plugins. */
export type AlertChannelKinds = ReadonlyMap<string, StandardSchemaV1>;

/** A checked channel of `alerts.channels`: its kind and its options as the kind's schema gave them back. */
export interface AlertChannelDefinition {
  name: string;
  kind: string;
  options: unknown;
  /** Per-attempt bound, ms. */
  timeout: number;
  /** Attempts per event, the first included. */
  maxAttempts: number;
}

const channelName = z
  .string({ error: 'give the channel a name (used in metrics and logs)' })
  .regex(ALERT_CHANNEL_NAME_PATTERN, 'use 1-64 letters, digits, _ or -, starting with a letter or digit')
  .refine((name) => name !== 'log', '"log" is the name of the log channel');

/** What every channel has besides its kind. */
const channelCommon = z.object({
  name: channelName,
  /** Per-attempt timeout. */
  timeout: duration({ minMs: 100, maxMs: 120_000 }).default(10_000),
  /** Attempts per event, the first included. */
  maxAttempts: z.number().int().min(1).max(10).default(5),
});

/**
 * `{ name, <kind>: <options>, timeout?, maxAttempts? }`: exactly one kind, its options checked by
 * that kind's schema (a plugin's: any Standard Schema). Every problem is reported at once, each
 * at its path (`alerts.channels.1.email.to.0`).
 */
function alertChannelSchema(kinds: AlertChannelKinds, unknownKindHint: string) {
  return z.record(z.string(), z.unknown()).transform(async (value, ctx): Promise<AlertChannelDefinition> => {
    const { name, timeout, maxAttempts, ...rest } = value;
    const common = channelCommon.safeParse({ name, timeout, maxAttempts });
    if (!common.success) {
      for (const issue of common.error.issues)
        ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    }
    const chosen = await checkKindAndOptions(rest, kinds, ctx, { what: 'alert channel', hint: unknownKindHint });
    if (!common.success || !chosen) return z.NEVER;
    return { ...common.data, ...chosen };
  });
}

/**
 * Where incident events go, for the alert-channel kinds given (a config's plugins'; the built-in
 * `chat` and `email` are always there). Parse with safeParseAsync: a plugin's schema may be
 * asynchronous.
 */
export function createAlertsSchema(channelKinds: AlertChannelKinds = new Map(), unknownKindHint = '') {
  const kinds = new Map([...Object.entries(BUILTIN_ALERT_CHANNEL_OPTIONS), ...channelKinds]);
  return z
    .object({
      /** Write every event to the Oamserver's log. */
      log: z.boolean().default(true),
      webhooks: z.array(webhookSchema).max(20).default([]),
      // No defaults for the two lists: a config without them reads as it always did.
      /** Channels of the built-in kinds (chat, email) and of plugins. */
      channels: z.array(alertChannelSchema(kinds, unknownKindHint)).max(20).optional(),
      /** Events at these places and times go to no channel but the log. */
      silences: z.array(silenceSchema).max(200).optional(),
      /** The dashboard's address as people reach it (e.g. https://hoptrace.example.com): chat and e-mail link to it. */
      dashboardUrl: z
        .string()
        .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), 'must be an http:// or https:// URL')
        .optional(),
    })
    .strict();
}

/** Where incident events go, with the built-in channel kinds only (parse with safeParseAsync). */
export const alertsSchema = createAlertsSchema();

/** Checked alert settings, durations in milliseconds. */
export type AlertsConfig = z.output<ReturnType<typeof createAlertsSchema>>;
/** One checked webhook. */
export type WebhookConfig = AlertsConfig['webhooks'][number];

/**
 * Channel names (webhooks' and channels') must be unique, and a silence must end or recur.
 * Checked on the raw document, like the other cross-field checks, so that it is reported together
 * with the schema's own complaints.
 */
export function crossCheckAlerts(raw: unknown): { path: string; message: string }[] {
  const alerts = raw as { webhooks?: unknown; channels?: unknown; silences?: unknown } | undefined;
  const issues: { path: string; message: string }[] = [];
  const firstPathOf = new Map<string, string>();
  for (const list of ['webhooks', 'channels'] as const) {
    const entries = alerts?.[list];
    if (!Array.isArray(entries)) continue;
    entries.forEach((entry: unknown, index) => {
      const name = (entry as { name?: unknown } | null)?.name;
      if (typeof name !== 'string') return;
      const first = firstPathOf.get(name);
      if (first === undefined) firstPathOf.set(name, `alerts.${list}.${index}`);
      else issues.push({ path: `alerts.${list}.${index}.name`, message: `"${name}" is already the name of ${first}` });
    });
  }
  issues.push(...crossCheckSilences(alerts?.silences));
  return issues;
}
