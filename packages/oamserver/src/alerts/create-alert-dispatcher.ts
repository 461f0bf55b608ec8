import { ConfigError, type ConfigIssue } from '@hoptrace/core';
import type { AlertsConfig } from '../config/alerts-schema';
import { alertChannelPluginsOf, type LoadedPlugin } from '../plugins/load-plugins';
import type { AlertChannelPlugin } from '../plugins/types';
import { AlertDispatcher } from './alert-dispatcher';
import { BUILTIN_ALERT_CHANNELS } from './channels/builtin-channels';
import { LogChannel } from './log-channel';
import { PluginChannel } from './plugin-channel';
import type { AlertChannel, AlertLogFunction } from './types';
import { WebhookChannel } from './webhook-channel';

/** Shortest signing secret accepted (as for HOPTRACE_SECRET's keys): a short HMAC key can be guessed. */
export const MIN_WEBHOOK_SECRET_LENGTH = 16;

/** What the alert channels need from the process. Entry points provide it; nothing here reads the environment. */
export interface AlertDispatcherDeps {
  /** Reads an environment variable, e.g. `(name) => process.env[name]`. */
  env: (name: string) => string | undefined;
  /** Where the log channel writes (and alert-channel plugins: their error lines at warn). */
  log: AlertLogFunction;
  /** Told about failed and dropped deliveries. */
  warn?: (message: string) => void;
  /** Names the config in errors (its file name). */
  source?: string;
  /** The config's loaded plugins (`ProbeConfig.plugins`): the kinds of `alerts.channels` besides chat and email. */
  plugins?: readonly LoadedPlugin[];
}

/** Each webhook's signing secret, or the problems with it. */
function webhookChannels(alerts: AlertsConfig, deps: AlertDispatcherDeps, issues: ConfigIssue[]): AlertChannel[] {
  const channels: AlertChannel[] = [];
  alerts.webhooks.forEach((webhook, index) => {
    const secret = deps.env(webhook.secretEnv);
    const path = `alerts.webhooks.${index}.secretEnv`;
    if (!secret) {
      issues.push({
        path,
        message: `environment variable ${webhook.secretEnv} is not set: it must hold the signing secret of webhook "${webhook.name}"`,
      });
    } else if (secret.length < MIN_WEBHOOK_SECRET_LENGTH) {
      issues.push({
        path,
        message: `environment variable ${webhook.secretEnv} is shorter than ${MIN_WEBHOOK_SECRET_LENGTH} characters`,
      });
    } else {
      channels.push(
        new WebhookChannel({
          name: webhook.name,
          url: webhook.url,
          secret,
          headers: webhook.headers,
          timeoutMs: webhook.timeout,
          maxAttempts: webhook.maxAttempts,
          warn: deps.warn,
        }),
      );
    }
  });
  return channels;
}

/** Each entry of `alerts.channels` run by its plugin, or the problems with it (plugin not loaded, a variable unset). */
function pluginChannels(alerts: AlertsConfig, deps: AlertDispatcherDeps, issues: ConfigIssue[]): AlertChannel[] {
  const plugins = new Map<string, AlertChannelPlugin>(
    [...BUILTIN_ALERT_CHANNELS, ...alertChannelPluginsOf(deps.plugins ?? [])].map((plugin) => [plugin.kind, plugin]),
  );
  const channels: AlertChannel[] = [];
  (alerts.channels ?? []).forEach((channel, index) => {
    const path = `alerts.channels.${index}.${channel.kind}`;
    const plugin = plugins.get(channel.kind);
    if (!plugin) {
      issues.push({
        path,
        message: `no alert-channel plugin of kind "${channel.kind}" is loaded (list it under plugins)`,
      });
      return;
    }
    let required: readonly string[];
    try {
      required = plugin.requiredEnv?.(channel.options) ?? [];
    } catch (error) {
      issues.push({ path, message: `the ${channel.kind} plugin's requiredEnv failed: ${(error as Error).message}` });
      return;
    }
    const unset = required.filter((variable) => !deps.env(variable));
    for (const variable of unset) {
      issues.push({ path, message: `environment variable ${variable} is not set: channel "${channel.name}" needs it` });
    }
    if (unset.length > 0) return;
    channels.push(
      new PluginChannel({
        name: channel.name,
        plugin,
        options: channel.options,
        timeoutMs: channel.timeout,
        maxAttempts: channel.maxAttempts,
        dashboardUrl: alerts.dashboardUrl,
        env: deps.env,
        warn: deps.warn,
        // The log function has info and warn: a plugin's error lines are warnings of the Oamserver.
        log: (level, message, fields) => deps.log(level === 'info' ? 'info' : 'warn', fields, message),
      }),
    );
  });
  return channels;
}

/**
 * Builds the dispatcher the config's `alerts` section describes (absent: the log channel only).
 * Throws a ConfigError listing every webhook whose secret variable is unset or too short, every
 * channel whose plugin is not loaded or whose environment variables are unset.
 */
export function createAlertDispatcher(config: AlertsConfig | undefined, deps: AlertDispatcherDeps): AlertDispatcher {
  const alerts: AlertsConfig = config ?? { log: true, webhooks: [] };
  const issues: ConfigIssue[] = [];
  const channels: AlertChannel[] = [
    ...(alerts.log ? [new LogChannel(deps.log)] : []),
    ...webhookChannels(alerts, deps, issues),
    ...pluginChannels(alerts, deps, issues),
  ];
  // Nothing has started yet (channels open and send on their first event): nothing to stop.
  if (issues.length > 0) throw new ConfigError(issues, deps.source);
  return new AlertDispatcher(channels, deps.warn, { silences: alerts.silences ?? [] });
}
