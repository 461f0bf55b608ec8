import type { AlertChannelPlugin, StandardSchemaV1 } from '../../plugins/types';
import { chatChannel } from './chat';
import { emailChannel } from './email';

/** The built-in alert-channel plugins, written on the plugin API like any other. */
export const BUILTIN_ALERT_CHANNELS: readonly AlertChannelPlugin[] = [
  chatChannel,
  emailChannel,
] as AlertChannelPlugin[];

/** The options schema of each built-in channel kind: what the config is checked against. */
export const BUILTIN_ALERT_CHANNEL_OPTIONS: Readonly<Record<string, StandardSchemaV1>> = Object.fromEntries(
  BUILTIN_ALERT_CHANNELS.map((plugin) => [plugin.kind, plugin.options]),
);
