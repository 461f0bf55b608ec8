import { ConfigError, type ConfigIssue } from '@hoptrace/core';
import type { AlertsConfig } from '../config/alerts-schema';
import { AlertDispatcher } from './alert-dispatcher';
import { LogChannel } from './log-channel';
import type { AlertChannel, AlertLogFunction } from './types';
import { WebhookChannel } from './webhook-channel';

/** Shortest signing secret accepted (as for HOPTRACE_SECRET's keys): a short HMAC key can be guessed. */
export const MIN_WEBHOOK_SECRET_LENGTH = 16;

/** What the alert channels need from the process. Entry points provide it; nothing here reads the environment. */
export interface AlertDispatcherDeps {
  /** Reads an environment variable, e.g. `(name) => process.env[name]`. */
  env: (name: string) => string | undefined;
  /** Where the log channel writes. */
  log: AlertLogFunction;
  /** Told about failed and dropped deliveries. */
  warn?: (message: string) => void;
  /** Names the config in errors (its file name). */
  source?: string;
}

/**
 * Builds the dispatcher the config's `alerts` section describes (absent: the log channel only).
 * Throws a ConfigError listing every webhook whose secret variable is unset or too short.
 */
export function createAlertDispatcher(config: AlertsConfig | undefined, deps: AlertDispatcherDeps): AlertDispatcher {
  const alerts = config ?? { log: true, webhooks: [] };
  const issues: ConfigIssue[] = [];
  const channels: AlertChannel[] = alerts.log ? [new LogChannel(deps.log)] : [];
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
  if (issues.length > 0) throw new ConfigError(issues, deps.source);
  return new AlertDispatcher(channels, deps.warn);
}
