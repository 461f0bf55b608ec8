import { z } from 'zod';
import { MAX_LABEL_LENGTH, PROBE_NAME_PATTERN } from '@hoptrace/core';
import { alertsSchema } from './alerts-schema';
import { duration } from './duration';
import { baselineSchema, incidentsSchema } from './incidents-schema';

const serviceName = z.string().min(1, 'a service name cannot be empty').max(MAX_LABEL_LENGTH);

/** An HTTP request that starts a run. */
export const httpTriggerSchema = z
  .object({
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).default('GET'),
    url: z
      .string()
      .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), 'must be an http:// or https:// URL'),
    headers: z.record(z.string(), z.string()).optional(),
    /** JSON body (objects and arrays are sent as JSON, strings as they are). */
    body: z.unknown().optional(),
    /** The status the entry service must answer; any 2xx when not set. */
    expectStatus: z.number().int().min(100).max(599).optional(),
  })
  .strict();

/** A Redis Stream message that starts a run (for flows that begin at a queue). */
export const streamTriggerSchema = z
  .object({
    stream: z.string().min(1),
    fields: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
    /** Approximate cap of the stream (XADD MAXLEN ~). */
    maxLen: z.number().int().positive().default(10_000),
  })
  .strict();

const messageBody = z.union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())]);
const messageHeaders = z.record(z.string(), z.string());

/** A RabbitMQ message that starts a run: published to an exchange (or a queue, through the default exchange). */
export const rabbitmqTriggerSchema = z
  .object({
    url: z
      .string()
      .refine((u) => URL.canParse(u) && /^amqps?:$/.test(new URL(u).protocol), 'must be an amqp:// or amqps:// URL')
      .default('amqp://guest:guest@127.0.0.1:5672'),
    /** The exchange; the default exchange (`""`) routes by queue name. */
    exchange: z.string().default(''),
    /** The routing key: with the default exchange, the queue's name. */
    routingKey: z.string().min(1),
    /** The message body: JSON for objects and arrays, as it is for a string. */
    body: messageBody.default({}),
    headers: messageHeaders.optional(),
  })
  .strict();

/** A NATS message that starts a run (core NATS publish). */
export const natsTriggerSchema = z
  .object({
    servers: z.string().min(1).default('nats://127.0.0.1:4222'),
    subject: z.string().min(1),
    body: messageBody.default({}),
    headers: messageHeaders.optional(),
  })
  .strict();

const TRIGGER_KINDS = ['http', 'redisStream', 'rabbitmq', 'nats'] as const;

export const triggerSchema = z
  .object({
    http: httpTriggerSchema.optional(),
    redisStream: streamTriggerSchema.optional(),
    rabbitmq: rabbitmqTriggerSchema.optional(),
    nats: natsTriggerSchema.optional(),
  })
  .strict()
  .refine(
    (t) => TRIGGER_KINDS.filter((kind) => t[kind] !== undefined).length === 1,
    `give exactly one of ${TRIGGER_KINDS.join(', ')}`,
  );

export const budgetSchema = z
  .object({
    /** Most time the whole run may take. */
    total: duration({ minMs: 1 }).optional(),
    /** Most time each named hop may take. */
    hops: z.record(serviceName, duration({ minMs: 1 })).optional(),
  })
  .strict();

/** One probe: a named synthetic transaction. */
export const probeSchema = z
  .object({
    name: z.string().regex(PROBE_NAME_PATTERN, 'use 1-64 letters, digits, _ or -, starting with a letter or digit'),
    description: z.string().max(500).optional(),
    enabled: z.boolean().default(true),
    /** How often the probe fires. */
    every: duration({ minMs: 1000, maxMs: 86_400_000 }).default(30_000),
    /** Time for all hops to report, after firing. */
    timeout: duration({ minMs: 100, maxMs: 600_000 }).default(5000),
    trigger: triggerSchema,
    /** The services the run must pass through, in order. */
    path: z.array(serviceName).min(1, 'name at least one service').max(32),
    budget: budgetSchema.optional(),
  })
  .strict();

/** Settings of the Oamserver itself. */
export const serverSchema = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65_535).default(4400),
  })
  .strict();

export const storageSchema = z
  .object({
    /** Prefix of every Redis key; must match the services' HOPTRACE_KEY_PREFIX. */
    keyPrefix: z
      .string()
      .regex(/^[^{}]*$/, 'must not contain { or } (they would put every run in one Redis Cluster slot)')
      .default('hoptrace:'),
    /** How long a run and its result are kept. */
    runTtl: duration({ minMs: 60_000 }).default(86_400_000),
    /** How many recent runs the indexes keep (overall, and per probe). */
    maxRuns: z.number().int().min(10).max(1_000_000).default(10_000),
  })
  .strict();

/** What the Prometheus metrics break down by, beyond probe and service. */
export const metricsSchema = z
  .object({
    /** Services whose hop latency is also recorded per instance (hoptrace_hop_instance_duration_seconds). */
    instanceLabels: z.array(serviceName).max(32).default([]),
  })
  .strict();

/** The probe config file. (Checks across fields live in cross-checks.ts.) */
export const probeConfigSchema = z
  .object({
    server: serverSchema.default({ host: '127.0.0.1', port: 4400 }),
    storage: storageSchema.default({ keyPrefix: 'hoptrace:', runTtl: 86_400_000, maxRuns: 10_000 }),
    probes: z.array(probeSchema).min(1, 'define at least one probe'),
    /** Where incident events go (alerts-schema.ts). Absent: nowhere but the log. */
    alerts: alertsSchema.optional(),
    metrics: metricsSchema.optional(),
    /** When incidents open and resolve (incidents-schema.ts). */
    incidents: incidentsSchema.default({ openAfter: 2, resolveAfter: 3, retention: 7 * 86_400_000 }),
    /** How hops without a budget are judged slow (incidents-schema.ts). */
    baseline: baselineSchema.default({ factor: 3, floor: 100, minSamples: 20 }),
  })
  .strict();

/** A checked probe config, durations in milliseconds. */
export type ProbeConfig = z.output<typeof probeConfigSchema>;
/** One checked probe. */
export type ProbeDefinition = ProbeConfig['probes'][number];
/** A checked trigger. */
export type TriggerDefinition = ProbeDefinition['trigger'];
