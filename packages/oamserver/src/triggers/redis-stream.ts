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

/** Adds the message that starts a run to a Redis Stream (on the Oamserver's Redis), the run's context in its fields. */
export function redisStreamTrigger(redis: OamRedis) {
  return defineTriggerPlugin({
    type: 'trigger',
    kind: 'redisStream',
    description: 'a message added to a Redis Stream',
    options: redisStreamTriggerOptions,
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
