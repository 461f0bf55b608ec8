import type { TriggerOutcome } from '../classifier/types';
import type { ProbeDefinition } from '../config/probe-config-schema';
import type { OamRedis } from '../store/redis-client';

type StreamTrigger = NonNullable<ProbeDefinition['trigger']['redisStream']>;

/** Adds the message that starts a run to a Redis Stream, with the run's context in its fields; never throws. */
export async function fireStreamTrigger(
  redis: OamRedis,
  trigger: StreamTrigger,
  contextFields: Record<string, string>,
): Promise<TriggerOutcome> {
  const started = performance.now();
  const fields = {
    ...Object.fromEntries(Object.entries(trigger.fields).map(([k, v]) => [k, String(v)])),
    ...contextFields,
  };
  try {
    const id = await redis.xadd(trigger.stream, 'MAXLEN', '~', trigger.maxLen, '*', ...Object.entries(fields).flat());
    return {
      kind: 'redisStream',
      ok: true,
      delivered: true,
      messageId: id ?? undefined,
      durationMs: performance.now() - started,
    };
  } catch (error) {
    return {
      kind: 'redisStream',
      ok: false,
      delivered: false,
      durationMs: performance.now() - started,
      error: `XADD ${trigger.stream}: ${(error as Error).message}`,
    };
  }
}
