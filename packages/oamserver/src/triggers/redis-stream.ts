import { z } from 'zod';
import type { OamRedis } from '../store/redis-client';
import { defineTriggerPlugin } from '../plugins/types';

/** A Redis Stream message that starts a run (for flows that begin at a queue). */
export const redisStreamTriggerOptions = z
  .object({
    stream: z.string().min(1),
    fields: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
    /** Approximate cap of the stream (XADD MAXLEN ~). */
    maxLen: z.number().int().positive().default(10_000),
  })
  .strict();

/** What the config checks of the trigger (it does not depend on the connection the trigger is given). */
export const REDIS_STREAM_TRIGGER_SPEC = {
  kind: 'redisStream',
  description: 'a message added to a Redis Stream',
  options: redisStreamTriggerOptions,
} as const;

/** Adds the message that starts a run to a Redis Stream (on the Oamserver's Redis), the run's context in its fields. */
export function redisStreamTrigger(redis: OamRedis) {
  return defineTriggerPlugin({
    type: 'trigger',
    ...REDIS_STREAM_TRIGGER_SPEC,
    async fire(run, carrier, options) {
      const fields = {
        ...Object.fromEntries(Object.entries(options.fields).map(([k, v]) => [k, String(v)])),
        ...carrier.messageFields(),
      };
      try {
        const id = await redis.xadd(
          options.stream,
          'MAXLEN',
          '~',
          options.maxLen,
          '*',
          ...Object.entries(fields).flat(),
        );
        return { delivered: true, ...(id ? { messageId: id } : {}) };
      } catch (error) {
        return { delivered: false, error: `XADD ${options.stream}: ${(error as Error).message}` };
      }
    },
  });
}
