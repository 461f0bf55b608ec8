import { z } from 'zod';
import { DEFAULT_KEY_PREFIX, PROBE_NAME_PATTERN } from '@hoptrace/core';
import type { LoadedPlugin } from '../plugins/load-plugins';
import { createAlertsSchema, type AlertChannelKinds } from './alerts-schema';
import { duration } from './duration';
import { baselineSchema, incidentsSchema } from './incidents-schema';
import { limitsSchema } from './limits-schema';
import { budgetSchema, serviceName } from './budget-schema';
import { MAX_JOURNEY_STEPS, journeyStepSchema } from './journey-schema';
import { pathSchema } from './path-schema';
import { triggerSchema, type TriggerDefinition, type TriggerKinds } from './trigger-schema';

/** Settings of the Oamserver itself. */
export const serverSchema = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65_535).default(4400),
    /**
     * Oamservers sharing a config divide the pending runs by partitions, each held with a lease
     * this long: a dead or paused Oamserver's share is taken over after it.
     */
    leaseTime: duration({ minMs: 500, maxMs: 60_000 }).default(5000),
    /** With HOPTRACE_API_TOKEN set: /metrics needs the token too. Default false (open, for scrapers). */
    metricsAuth: z.boolean().optional(),
  })
  .strict();

export const storageSchema = z
  .object({
    /** Prefix of every Redis key; must match the services' HOPTRACE_KEY_PREFIX. */
    keyPrefix: z
      .string()
      .regex(/^[^{}]*$/, 'must not contain { or } (they would put every run in one Redis Cluster slot)')
      .default(DEFAULT_KEY_PREFIX),
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

/** One probe: a named synthetic transaction. */
function probeSchema(kinds: TriggerKinds, unknownKindHint: string) {
  return z
    .object({
      name: z.string().regex(PROBE_NAME_PATTERN, 'use 1-64 letters, digits, _ or -, starting with a letter or digit'),
      description: z.string().max(500).optional(),
      enabled: z.boolean().default(true),
      /** How often the probe fires. */
      every: duration({ minMs: 1000, maxMs: 86_400_000 }).default(30_000),
      /** Time for all hops to report, after firing. */
      timeout: duration({ minMs: 100, maxMs: 600_000 }).default(5000),
      /** How the run enters the platform (a probe of one step). */
      trigger: triggerSchema(kinds, unknownKindHint).optional(),
      /** The services the run must pass through, in order. */
      path: pathSchema.optional(),
      budget: budgetSchema.optional(),
      /** A journey: steps run one after the other, each with its own trigger, path and budgets (journey-schema.ts). */
      steps: z.array(journeyStepSchema(kinds, unknownKindHint)).min(1).max(MAX_JOURNEY_STEPS).optional(),
    })
    .strict()
    .transform((probe, ctx) => {
      const { trigger, path, budget, steps, ...common } = probe;
      if (steps) {
        for (const [key, value] of Object.entries({ trigger, path, budget })) {
          if (value !== undefined) {
            ctx.addIssue({
              code: 'custom',
              path: [key],
              message: `a journey (steps) sets ${key} on each step, not on the probe`,
            });
          }
        }
        const checked = steps.map((step) => ({ ...step, timeout: step.timeout ?? probe.timeout }));
        return { ...common, journey: true, steps: checked, path: checked.flatMap((step) => step.path) };
      }
      if (trigger === undefined)
        ctx.addIssue({ code: 'custom', path: ['trigger'], message: 'give a trigger (or steps, for a journey)' });
      if (path === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['path'],
          message: 'give the path the run must take (or steps, for a journey)',
        });
      }
      if (trigger === undefined || path === undefined) return z.NEVER;
      // A probe of one step is run as a journey of one step, named after the probe.
      const only = { name: probe.name, trigger, path, budget, timeout: probe.timeout, poll: undefined, cleanup: false };
      return { ...common, journey: false, steps: [only], path };
    });
}

/**
 * The probe config file, for the trigger kinds given (built-in ones and those of the config's
 * plugins). Parse it with safeParseAsync: a plugin's schema may be asynchronous. (Checks across
 * fields live in cross-checks.ts.)
 */
export function createProbeConfigSchema(
  kinds: TriggerKinds,
  unknownKindHint = '',
  channelKinds: AlertChannelKinds = new Map(),
) {
  return z
    .object({
      /** Plugin modules (paths relative to the config file, or package names): trigger kinds of their own. */
      plugins: z.array(z.string().min(1)).max(32).default([]),
      server: serverSchema.default({ host: '127.0.0.1', port: 4400, leaseTime: 5000 }),
      storage: storageSchema.default({ keyPrefix: DEFAULT_KEY_PREFIX, runTtl: 86_400_000, maxRuns: 10_000 }),
      probes: z.array(probeSchema(kinds, unknownKindHint)).min(1, 'define at least one probe'),
      /** Where incident events go (alerts-schema.ts). Absent: nowhere but the log. */
      alerts: createAlertsSchema(channelKinds, unknownKindHint).optional(),
      metrics: metricsSchema.optional(),
      /** When incidents open and resolve (incidents-schema.ts). */
      incidents: incidentsSchema.default({
        openAfter: 2,
        resolveAfter: 3,
        retention: 7 * 86_400_000,
        serviceWideMinInstances: 3,
      }),
      /** How hops without a budget are judged slow (incidents-schema.ts). */
      baseline: baselineSchema.default({ factor: 3, floor: 100, minSamples: 20 }),
      /** The in-memory caps (limits-schema.ts); absent, each field's default (parsed from `{}`). */
      limits: limitsSchema.prefault({}),
    })
    .strict();
}

type CheckedConfig = z.output<ReturnType<typeof createProbeConfigSchema>>;

/** A checked probe config, durations in milliseconds, with its plugins loaded. */
export type ProbeConfig = Omit<CheckedConfig, 'plugins'> & { plugins: readonly LoadedPlugin[] };
/** One checked probe. */
export type ProbeDefinition = ProbeConfig['probes'][number];
/** One checked step of a journey. */
export type JourneyStepDefinition = NonNullable<ProbeDefinition['steps']>[number];
export type { TriggerDefinition };
