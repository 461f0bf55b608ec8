import type { OamRedis } from '../store/redis-client';
import type { TriggerPlugin } from '../plugins/types';
import { natsTrigger, rabbitmqTrigger } from './brokers';
import { httpTrigger } from './http';
import { REDIS_STREAM_TRIGGER_SPEC, redisStreamTrigger } from './redis-stream';

/** What reading a config needs of a trigger kind: its options schema and what it may capture. */
export type TriggerSpec = Pick<TriggerPlugin, 'kind' | 'options' | 'captures'>;

/** The built-in trigger kinds, as the config checks them. */
export const BUILTIN_TRIGGER_SPECS: ReadonlyMap<string, TriggerSpec> = new Map(
  [httpTrigger, REDIS_STREAM_TRIGGER_SPEC, rabbitmqTrigger, natsTrigger].map((t) => [t.kind, t as TriggerSpec]),
);

/** The built-in triggers, written on the plugin API; `redisStream` adds to the Oamserver's own Redis. */
export function builtinTriggers(redis: OamRedis): TriggerPlugin[] {
  return [httpTrigger, redisStreamTrigger(redis), rabbitmqTrigger, natsTrigger] as TriggerPlugin[];
}
